import { GatewayRefusal, parseFieldUrn, parseTerugmelding, terugmeldingSubject } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { JSON_UTF8 } from '../pipeline/media-types.ts';
import { TERUGMELDING_PROBLEM_LIMITS } from '../terugmelding/terugmelding-checks.ts';
import { type ChooseGrantOptions, decideGrant } from './choose-grant.ts';
import type { OutwayEnv } from './context.ts';
import {
  answerHeaders,
  commitRecords,
  exchangeContext,
  type LogReceivedOptions,
  passOnRefusal,
} from './log-received.ts';
import { buildOutwayRecords } from './outway-records.ts';

/** What the application's records name a terugmelding's exchange with (its `search_type`). */
export const TERUGMELDING_SEARCH_TYPE = 'Terugmelding';

const REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Decides what an application's terugmelding asks, as `chooseGrant` does for a query: `POST
 * /terugmeldingen` goes to the service its attributes' urns name (one service per melding, the body
 * read by the protocol's one parser, so a melding the provider would refuse never leaves);
 * `GET /terugmeldingen/{id}?service=S` reads one back from service S. The verwerkingsactiviteit is
 * the `Processing-Activity` header or the application's default, bound to the application.
 */
export const chooseTerugmelding = (options: ChooseGrantOptions) =>
  createMiddleware<OutwayEnv>(async function chooseTerugmelding(c, next) {
    // The melding's member names (`terugMeldingBody.terugMeldingGegevens[0].attribuutUrn`) are longer than the BRP's.
    c.set('problemLimits', TERUGMELDING_PROBLEM_LIMITS);
    const id = c.req.param('id');
    let serviceId: string;
    let melding: { bsn: string | undefined; paths: string[] };
    if (id === undefined) {
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(c.get('body')));
      } catch {
        throw new GatewayRefusal('invalidRequest', 'De body is geen JSON.', {
          invalidParams: [{ name: 'body', code: 'json', reason: 'Stuur een TerugMelding als JSON in UTF 8.' }],
        });
      }
      const parsed = parseTerugmelding(body);
      const urns = parsed.terugMeldingBody.terugMeldingGegevens.map((g) => parseFieldUrn(g.attribuutUrn));
      const first = urns[0]?.serviceId ?? '';
      const other = urns.findIndex((u) => u?.serviceId !== first);
      if (other >= 0) {
        throw new GatewayRefusal('invalidRequest', 'Een terugmelding gaat over gegevens van één dienst.', {
          invalidParams: [
            {
              name: `terugMeldingBody.terugMeldingGegevens[${other}].attribuutUrn`,
              code: 'otherService',
              reason: `Meld gegevens van ${first} en van andere diensten apart.`,
            },
          ],
        });
      }
      serviceId = first;
      melding = {
        bsn: terugmeldingSubject(parsed),
        paths: [...new Set(urns.flatMap((u) => (u ? [u.path] : [])))],
      };
    } else {
      if (!REFERENCE.test(id)) {
        throw new GatewayRefusal('invalidRequest', 'Dit is geen kenmerk van een terugmelding.', {
          invalidParams: [{ name: 'id', code: 'pattern', reason: 'Geef het terugMeldingReferentie, een UUID.' }],
        });
      }
      const asked = c.req.query('service');
      if (asked === undefined || !SERVICE_ID.test(asked)) {
        throw new GatewayRefusal('invalidRequest', 'Noem de dienst van de terugmelding.', {
          invalidParams: [{ name: 'service', code: 'required', reason: 'Geef de dienst, zoals brp personen.' }],
        });
      }
      serviceId = asked;
      melding = { bsn: undefined, paths: [] };
    }
    const grant = decideGrant(
      c,
      options,
      c.get('directory').services.get(serviceId),
      c.req.header('processing-activity'),
    );
    c.set('outwayGrant', {
      ...grant,
      searchType: TERUGMELDING_SEARCH_TYPE,
      target: id === undefined ? '/terugmeldingen' : `/terugmeldingen/${id.toLowerCase()}`,
    });
    c.set('melding', melding);
    await next();
  });

/**
 * The last stage of a terugmelding: the provider's verified answer (201 `Ontvangen`, or 200 with the
 * melding) goes to the application only once the afnemer's log holds a record of it, about the
 * betrokkene with the attributes' paths and the melding's reference and status. A refusal is kept
 * and passed on as for a query.
 */
export const logTerugmelding = (options: LogReceivedOptions) =>
  async function logTerugmelding(c: Context<OutwayEnv>): Promise<Response> {
    const answer = c.get('providerAnswer');
    const melding = c.get('melding');
    if (answer.status !== 200 && answer.status !== 201) return passOnRefusal(c, options, answer);
    let said: { terugMeldingReferentie?: unknown; status?: unknown; gegevens?: unknown };
    try {
      said = JSON.parse(answer.body) as typeof said;
    } catch (cause) {
      throw new GatewayRefusal('providerUnverified', 'Het getekende antwoord is geen JSON.', { cause });
    }
    const id = typeof said.terugMeldingReferentie === 'string' ? said.terugMeldingReferentie : c.req.param('id');
    const status = typeof said.status === 'string' ? said.status : 'unknown';
    // A melding read back names its attributes; whom it is about is in the record of its sending.
    const read = Array.isArray(said.gegevens)
      ? said.gegevens.flatMap((g: { attribuutUrn?: unknown }) => {
          const urn = typeof g?.attribuutUrn === 'string' ? parseFieldUrn(g.attribuutUrn) : undefined;
          return urn ? [urn.path] : [];
        })
      : [];
    const bsn = melding?.bsn;
    const records = buildOutwayRecords([], {
      ...exchangeContext(c, options, answer),
      requestedBsns: [],
      received: [
        {
          subject: bsn === undefined ? undefined : { type: 'BSN', id: bsn },
          fields: new Set(melding?.paths.length ? melding.paths : read),
        },
      ],
      ...(id === undefined ? {} : { terugmelding: { id, status } }),
    });
    await commitRecords(options.log, records);
    return c.body(answer.body, answer.status, {
      ...answerHeaders(c, answer),
      'content-type': answer.evidence.response.headers['content-type'] ?? JSON_UTF8,
    });
  };
