/**
 * Kadaster's BRK inway attacked from outside (issue 26 §3): every class of the BRP adversarial cases
 * against `pnpm start`'s BRK inway (service `brk-bevragen`, the example BRK source behind it):
 * signatures, autorisatie, parsing, records (read read-only in `brk-gateway.db` and in the citizen's
 * timeline at the BRK inway) and Utrecht's outway as an application calls it (the API key only).
 * Raw HTTP only: requests are signed with node:crypto (`raw-client.ts`), paths sent as written.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../start-system.ts';
import { contentDigest, type RawJwk, type RawRequest, signRaw } from './raw-client.ts';

const HOME = '30000000000001';
const COMPANY_ONLY = '30000000000008';
const SUZANNE = '999993653';
/** A test person of the dev identity provider who owns nothing in the BRK. */
const OWNS_NOTHING = '000009830';
const OZB = DEMO_PROCESSING_ACTIVITY.utrechtOzb;
const VERMOGEN = DEMO_PROCESSING_ACTIVITY.haarlemVermogen;

interface Problem {
  code: string;
  detail?: string;
  invalidParams?: { name: string; code: string }[];
}
interface Answer {
  status: number;
  type: string;
  text: string;
}

describe("Kadaster's BRK inway attacked from outside (pnpm start, raw HTTP)", () => {
  let system: RunningSystem;
  let base: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
  const utrecht = () => ({ key: key(DEMO_OIN.utrecht), processingActivity: OZB });
  const haarlem = () => ({ key: key(DEMO_OIN.haarlem), processingActivity: VERMOGEN });

  /** Sends over node:http exactly `path` (no normalisation of `..` or `//`), with `headers`. */
  const send = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: system.ports.brkGateway,
          method,
          path,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  /** A request signed for `path` at the inway's public URL, sent as it is (or as `sent` says). */
  const call = (
    path: string,
    as: Pick<RawRequest, 'key' | 'processingActivity'> = utrecht(),
    extra: Partial<RawRequest> & { sent?: string } = {},
  ) => {
    const method = extra.method ?? (extra.body === undefined ? 'GET' : 'POST');
    const headers = signRaw({ method, targetUri: `${base}${path}`, ...as, ...extra });
    return send(method, extra.sent ?? path, headers, extra.body);
  };
  const problemOf = (answer: Answer, status: number, code?: string) => {
    expect(answer.status, answer.text).toBe(status);
    expect(answer.type).toContain('application/problem+json');
    const problem = JSON.parse(answer.text) as Problem;
    if (code) expect(problem.code).toBe(code);
    return problem;
  };
  const names = (problem: Problem) => problem.invalidParams?.map((p) => p.name) ?? [];

  /** The access records of one transaction, read-only in Kadaster's log database. */
  async function recordsOf(transactionId: string) {
    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(system.data, 'brk-gateway.db')}`);
    try {
      const rows = await db
        .selectFrom('access_log')
        .select(['data_subject_id', 'record'])
        .where('transaction_id', '=', transactionId)
        .execute();
      return rows.map((row) => ({
        pseudonym: row.data_subject_id,
        type: (JSON.parse(row.record) as { attributes: Record<string, unknown> }).attributes[
          'dpl.core.data_subject_id_type'
        ],
      }));
    } finally {
      await close();
    }
  }
  /** A signed call whose transaction id we know, and its records once it was answered. */
  async function recorded(path: string, as = utrecht(), body?: string) {
    const headers = signRaw({
      method: body ? 'POST' : 'GET',
      targetUri: `${base}${path}`,
      ...as,
      ...(body ? { body } : {}),
    });
    const answer = await send(body ? 'POST' : 'GET', path, headers, body);
    expect(answer.status, answer.text).toBe(200);
    return { answer, records: await recordsOf(headers['fsc-transaction-id'] as string) };
  }
  const timeline = async (bsn: string) => {
    const res = await fetch(`http://127.0.0.1:${system.ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const list = await fetch(`http://127.0.0.1:${system.ports.brkGateway}/inzage/v1/verwerkingen?limit=100`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(list.status, await list.clone().text()).toBe(200);
    return ((await list.json()) as { verwerkingen: Record<string, unknown>[] }).verwerkingen;
  };

  beforeAll(async () => {
    system = await startSystem();
    base = `http://localhost:${system.ports.brkGateway}`;
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  describe('signatures', () => {
    it('refuses an unsigned request and one signed by a key that is not the afnemer one', async () => {
      problemOf(await send('GET', `/kadastraalonroerendezaken/${HOME}`, { 'processing-activity': OZB }), 401);
      const { privateKey } = generateKeyPairSync('ed25519');
      const forged = { ...privateKey.export({ format: 'jwk' }), kid: key(DEMO_OIN.utrecht).kid } as RawJwk;
      problemOf(await call(`/kadastraalonroerendezaken/${HOME}`, { key: forged, processingActivity: OZB }), 401);
    });

    it('refuses a path or query string changed after signing (@target-uri covers both)', async () => {
      const path = `/kadastraalonroerendezaken/${HOME}?fields=type`;
      problemOf(await call(path, utrecht(), { sent: `/kadastraalonroerendezaken/${COMPANY_ONLY}?fields=type` }), 401);
      problemOf(await call(path, utrecht(), { sent: `${path},identificatie` }), 401);
      problemOf(await call(path, utrecht(), { sent: `${path}&fields=identificatie` }), 401);
    });

    it('refuses a replay and a GET whose body is not the empty one its digest signs', async () => {
      const path = `/kadastraalonroerendezaken/${HOME}?fields=type`;
      const headers = signRaw({ method: 'GET', targetUri: `${base}${path}`, ...utrecht() });
      expect((await send('GET', path, headers)).status).toBe(200);
      problemOf(await send('GET', path, headers), 401);
      const fresh = signRaw({ method: 'GET', targetUri: `${base}${path}`, ...utrecht() });
      problemOf(await send('GET', path, fresh, 'x'), 401);
      // Signed with its digest, a GET's body is still not accepted.
      const withBody = signRaw({ method: 'GET', targetUri: `${base}${path}`, ...utrecht(), body: '{"a":1}' });
      expect(withBody['content-digest']).toBe(contentDigest('{"a":1}'));
      const refused = problemOf(await send('GET', path, withBody, '{"a":1}'), 400);
      expect(names(refused)).toEqual(['body']);
    });
  });

  describe('autorisatie', () => {
    it("refuses an operation the autorisatie does not name, and another organisation's verwerkingsactiviteit", async () => {
      const problem = problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}/hypotheken`),
        403,
        'unauthorizedParameter',
      );
      expect(names(problem)).toEqual(['operation']);
      problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}`, { key: key(DEMO_OIN.utrecht), processingActivity: VERMOGEN }),
        403,
      );
    });

    it('refuses Utrecht the search by BSN and Haarlem the search by postcode', async () => {
      const bsn = problemOf(
        await call('/kadastraalonroerendezaken', utrecht(), { body: JSON.stringify({ burgerservicenummer: SUZANNE }) }),
        403,
        'unauthorizedParameter',
      );
      expect(bsn.detail).toContain('ZoekKadastraalOnroerendeZakenMetBsn');
      problemOf(
        await call('/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31', haarlem()),
        403,
        'unauthorizedParameter',
      );
      // Utrecht may see an owner's identifier, so persoon__identificatie selects on what it may see; a
      // BSN searched that way must never release anything about her without a record for her BSN.
      const headers = signRaw({
        method: 'GET',
        targetUri: `${base}/kadastraalonroerendezaken?persoon__identificatie=${SUZANNE}`,
        ...utrecht(),
      });
      const byPersoon = await send('GET', `/kadastraalonroerendezaken?persoon__identificatie=${SUZANNE}`, headers);
      if (byPersoon.status === 200) {
        const records = await recordsOf(headers['fsc-transaction-id'] as string);
        expect(records.map((r) => r.type)).toContain('BSN');
      }
    });

    it('refuses a fields path not authorised (403 naming fields), an unknown one (400), and expand of what it may not see', async () => {
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=koopsom`), 403, 'unauthorizedField')),
      ).toEqual(['fields']);
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=bestaatNiet`), 400))).toEqual([
        'fields',
      ]);
      expect(
        names(
          problemOf(await call(`/kadastraalonroerendezaken/${HOME}?expand=zakelijkGerechtigden.aanvangsdatum`), 403),
        ),
      ).toEqual(['expand']);
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?expand=hypotheken`), 400))).toEqual([
        'expand',
      ]);
    });
  });

  describe('parsing', () => {
    it('answers an unknown path or method with a 404 problem', async () => {
      problemOf(await call('/onbekend'), 404, 'notFound');
      problemOf(await call(`/kadastraalonroerendezaken/${HOME}/zakelijkgerechtigden/1/meer`), 404, 'notFound');
      problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}`, utrecht(), { method: 'POST', body: '{}' }),
        404,
        'notFound',
      );
    });

    it('lets no path traverse: .., %2e%2e, %2F, //, encoded NUL and newline', async () => {
      for (const path of [
        `/kadastraalonroerendezaken/${HOME}/../${COMPANY_ONLY}`,
        `/kadastraalonroerendezaken/%2e%2e/${COMPANY_ONLY}`,
        `/kadastraalonroerendezaken/${HOME}%2Fhypotheken`,
        `/kadastraalonroerendezaken//${HOME}`,
        `/kadastraalonroerendezaken/${HOME}%00`,
        `/kadastraalonroerendezaken/${HOME}%0A`,
        `/kadastraalonroerendezaken/..%2F..%2Fadmin`,
      ]) {
        // A 401 where the server normalised `..` before checking what was signed: nothing is released either way.
        const answer = await call(path);
        expect([400, 401, 404], `${path}: ${answer.text}`).toContain(answer.status);
        expect(answer.type).toContain('application/problem+json');
        expect(answer.text).not.toContain('Voorbeeldweg');
      }
    });

    it('names the path parameter whole in its problem', async () => {
      const problem = problemOf(await call(`/kadastraalonroerendezaken/${HOME}x`), 400);
      expect(names(problem)).toEqual(['kadastraalOnroerendeZaakIdentificatie']);
    });

    it('refuses unknown and repeated query parameters and a huge query string, naming them', async () => {
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?geheim=1`), 400))).toEqual(['geheim']);
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=type&fields=identificatie`), 400)),
      ).toEqual(['fields']);
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken?postcode=3077AW&postcode=3077AW&huisnummer=31`), 400)),
      ).toEqual(['postcode']);
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=${'type,'.repeat(600)}type`), 400)),
      ).toEqual(['query']);
      const huge = await call(`/kadastraalonroerendezaken/${HOME}?fields=${'a'.repeat(40_000)}`);
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(huge.status).toBeLessThan(500);
    });

    it('refuses deep, huge and malformed POST bodies and a wrong content type', async () => {
      const search = (body: string, headers: Record<string, string> = {}) =>
        call('/kadastraalonroerendezaken', haarlem(), { body, headers });
      const deep = `{"burgerservicenummer":"${SUZANNE}","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      expect(names(problemOf(await search(deep), 400))).toEqual(['body']);
      expect(names(problemOf(await search(`{"burgerservicenummer":"${SUZANNE}"`), 400))).toEqual(['body']);
      expect(names(problemOf(await search('[]'), 400))).toEqual(['body']);
      expect(names(problemOf(await search(JSON.stringify({ burgerservicenummer: 999993653 })), 400))).toEqual([
        'burgerservicenummer',
      ]);
      const huge = await search(JSON.stringify({ burgerservicenummer: SUZANNE, x: 'x'.repeat(3_000_000) }));
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(huge.status).toBeLessThan(500);
      problemOf(await search(JSON.stringify({ burgerservicenummer: SUZANNE }), { 'content-type': 'text/plain' }), 415);
    });

    it('answers 406 to an Accept that allows no JSON', async () => {
      problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}`, utrecht(), { headers: { accept: 'application/xml' } }),
        406,
      );
      const ok = await call(`/kadastraalonroerendezaken/${HOME}`, utrecht(), {
        headers: { accept: 'application/hal+json' },
      });
      expect(ok.status).toBe(200);
    });
  });

  describe('records', () => {
    it('writes one record per owner before release: a BSN the owner sees in her timeline, a company RSIN no one sees', async () => {
      const before = (await timeline(SUZANNE)).length;
      const home = await recorded(`/kadastraalonroerendezaken/${HOME}?fields=type`);
      expect(home.records).toHaveLength(1);
      expect(home.records[0]?.type).toBe('BSN');
      expect(home.records[0]?.pseudonym).not.toContain(SUZANNE);
      const company = await recorded(`/kadastraalonroerendezaken/${COMPANY_ONLY}?fields=type`);
      expect(company.records).toHaveLength(1);
      expect(company.records[0]?.type).toBe('RSIN');
      const search = await recorded(
        '/kadastraalonroerendezaken',
        haarlem(),
        JSON.stringify({ burgerservicenummer: SUZANNE }),
      );
      expect(search.records.map((r) => r.type)).toEqual(['BSN']);
      expect(search.records[0]?.pseudonym).toBe(home.records[0]?.pseudonym);
      const after = await timeline(SUZANNE);
      expect(after.length - before).toBe(2);
      expect(after.slice(0, 2).map((v) => (v.organisatie as { oin: string }).oin)).toEqual([
        DEMO_OIN.haarlem,
        DEMO_OIN.utrecht,
      ]);
    });

    it('records the BSN searched for that owns nothing, and shows it to that person', async () => {
      const before = (await timeline(OWNS_NOTHING)).length;
      const search = await recorded(
        '/kadastraalonroerendezaken',
        haarlem(),
        JSON.stringify({ burgerservicenummer: OWNS_NOTHING }),
      );
      expect(JSON.parse(search.answer.text)).toEqual({ _embedded: { kadastraalOnroerendeZaken: [] } });
      expect(search.records.map((r) => r.type)).toEqual(['BSN']);
      expect((await timeline(OWNS_NOTHING)).length - before).toBe(1);
    });
  });

  describe("Utrecht's outway, as an application calls it (the API key only)", () => {
    const outway = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${system.ports.outway}/brk-bevragen${path}`, {
        ...init,
        headers: {
          'x-api-key': readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim(),
          'processing-activity': OZB,
          ...(init.headers as Record<string, string>),
        },
      });

    it('passes a declared operation and gives the inway answer, hrefs at the inway', async () => {
      const res = await outway(`/kadastraalonroerendezaken/${HOME}`);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/hal+json');
      expect(text).toContain(`${base}/kadastraalonroerendezaken/${HOME}`);
      expect(text).not.toContain(`:${system.ports.brkSource}`);
    });

    it('refuses an operation the description does not declare, and a path that tries to leave the service', async () => {
      for (const path of [
        `/kadastraalonroerendezaken/${HOME}/hypotheken/50000000000001`,
        `/kadastraalonroerendezaken/${HOME}/%2e%2e/%2e%2e/personen`,
      ]) {
        const res = await outway(path);
        const text = await res.text();
        expect(res.status, `${path}: ${text}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      const post = await outway(`/kadastraalonroerendezaken/${HOME}`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(post.status, await post.text()).toBe(404);
    });
  });
});
