import { GatewayRefusal, type InvalidParam, isEmailAddress } from '@poortwachter/protocol';
import { type Context, Hono } from 'hono';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { readBody } from '../pipeline/read-body.ts';
import { onlyParameters, sendJson } from '../reads/read-params.ts';
import {
  type Berichten,
  berichtenOf,
  deleteSubscription,
  FREQUENTIES,
  type Frequentie,
  findSubscription,
  saveSubscription,
} from './subscriptions.ts';

/** The most organisations a citizen may name (more is no filter worth the name). */
const MAX_ORGANISATIES = 50;
const MEMBERS = ['email', 'frequentie', 'organisaties'];

/**
 * The citizen's notice settings from a request body, or a 400 naming every member that is wrong:
 * `email` one address (protocol's isEmailAddress), `frequentie` dagelijks or wekelijks, `organisaties`
 * absent or 1 to 50 different OINs of organisations in the directory.
 */
export function parseBerichten(body: unknown, directory: DirectoryIndex): Berichten {
  const problems: InvalidParam[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayRefusal('invalidRequest', 'Stuur een object met email, frequentie en eventueel organisaties.', {
      invalidParams: [{ name: 'body', code: 'object', reason: 'Geef een JSON object.' }],
    });
  }
  const input = body as Record<string, unknown>;
  for (const name of Object.keys(input)) {
    if (!MEMBERS.includes(name)) problems.push({ name, code: 'unknownParam', reason: 'Dit veld bestaat niet.' });
  }
  if (!isEmailAddress(input.email)) {
    problems.push({ name: 'email', code: 'email', reason: 'Geef een geldig emailadres, zonder naam of spaties.' });
  }
  if (!FREQUENTIES.includes(input.frequentie as Frequentie)) {
    problems.push({ name: 'frequentie', code: 'enum', reason: 'Kies dagelijks of wekelijks.' });
  }
  const organisaties = input.organisaties;
  if (organisaties !== undefined) {
    if (!Array.isArray(organisaties) || organisaties.length === 0 || organisaties.length > MAX_ORGANISATIES) {
      problems.push({
        name: 'organisaties',
        code: 'array',
        reason: `Geef 1 tot en met ${MAX_ORGANISATIES} organisaties, of laat dit veld weg.`,
      });
    } else {
      organisaties.forEach((oin, i) => {
        if (typeof oin !== 'string' || !directory.organisations.has(oin)) {
          problems.push({ name: `organisaties[${i}]`, code: 'unknown', reason: 'Geen organisatie met dit OIN.' });
        } else if (organisaties.indexOf(oin) !== i) {
          problems.push({ name: `organisaties[${i}]`, code: 'uniqueItems', reason: 'Dit OIN staat er al.' });
        }
      });
    }
  }
  if (problems.length > 0) {
    throw new GatewayRefusal('invalidRequest', 'Een of meer velden van uw berichten zijn niet goed.', {
      invalidParams: problems,
    });
  }
  return {
    email: input.email as string,
    frequentie: input.frequentie as Frequentie,
    ...(organisaties === undefined ? {} : { organisaties: organisaties as string[] }),
  };
}

/** The citizen of the request, as the citizen app verifies them (token, quotas). */
type VerifiedCitizen = (c: Context<GatewayEnv>) => Promise<{ readonly bsn: string }>;

/** Refuses when this inway sends no e-mail: the page then says so instead of offering the form. */
function requireNotices(c: Context<GatewayEnv>) {
  if (!c.var.reads.notices) {
    throw new GatewayRefusal('noticeUnavailable', 'Deze bronhouder verstuurt geen e-mail.');
  }
}

/**
 * The citizen's notice settings at this inway (`/inzage/v1/berichten`, mounted in the citizen app
 * behind its token check, quotas and CORS): `GET` reads them (404 when none), `PUT` sets them
 * (`{email, frequentie, organisaties?}`), `DELETE` ends them (204). Kept by the pseudonym of the BSN in
 * the token, never the BSN; 503 `noticeUnavailable` when the inway has no mail server.
 */
export function berichtenApp(verifiedCitizen: VerifiedCitizen) {
  const app = new Hono<GatewayEnv>();
  app.get('/', async (c) => {
    const citizen = await verifiedCitizen(c);
    onlyParameters(c, []);
    requireNotices(c);
    const { db, pseudonymsOf } = c.var.reads;
    const row = await findSubscription(db, pseudonymsOf(citizen.bsn));
    if (!row) throw new GatewayRefusal('noticeNotFound', 'U krijgt van deze bronhouder geen berichten.');
    return sendJson(c, berichtenOf(row));
  });
  app.put('/', readBody({ maxBytes: 8 * 1024 }), async (c) => {
    const citizen = await verifiedCitizen(c);
    onlyParameters(c, []);
    requireNotices(c);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(c.var.body));
    } catch {
      throw new GatewayRefusal('invalidRequest', 'De body is geen JSON.', {
        invalidParams: [{ name: 'body', code: 'json', reason: 'Geef geldige JSON.' }],
      });
    }
    const berichten = parseBerichten(body, c.var.directory);
    const { db, pseudonymsOf, now } = c.var.reads;
    return sendJson(c, await saveSubscription(db, pseudonymsOf(citizen.bsn), berichten, now()));
  });
  app.delete('/', async (c) => {
    const citizen = await verifiedCitizen(c);
    onlyParameters(c, []);
    requireNotices(c);
    const { db, pseudonymsOf } = c.var.reads;
    if (!(await deleteSubscription(db, pseudonymsOf(citizen.bsn)))) {
      throw new GatewayRefusal('noticeNotFound', 'U krijgt van deze bronhouder geen berichten.');
    }
    c.set('responseBody', '');
    return c.body(null, 204);
  });
  return app;
}
