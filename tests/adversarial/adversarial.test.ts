/**
 * The adversarial suite: the gateway over real HTTP on 127.0.0.1, in front of the example BRP source
 * (or a misbehaving one), attacked with requests signed by `raw-client.ts` (node:crypto, not our sdk).
 * One section per class of issue 10; storage on every dialect of the test run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createBrpSourceApp } from '@poortwachter/example-brp-source';
import {
  describeOperationalLog,
  GATEWAY_URL,
  specProblemErrors,
  startTestGateway,
  type TestGateway,
} from '@poortwachter/gateway/testing';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, loadPersonen } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contentDigest, type RawJwk, type RawRequest, sendRaw, signRaw } from './raw-client.ts';

const PERSONEN = `${GATEWAY_URL}/personen`;
const WMO = DEMO_PROCESSING_ACTIVITY.utrechtWmo;

interface Problem {
  status: number;
  code: string;
  instance: string;
  invalidParams?: { name: string; code: string; reason: string }[];
}

/** Serves an app on 127.0.0.1 and gives its origin. */
async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** A problem answer that the spec's own schema accepts. */
async function problemOf(res: Response, status: number, code: string): Promise<Problem> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  const problem = JSON.parse(text) as Problem;
  expect(problem.code).toBe(code);
  expect(specProblemErrors(problem)).toEqual([]);
  return problem;
}

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the gateway attacked from outside over HTTP (${dialect})`, () => {
    let gw: TestGateway;
    let origin: string;
    let stop: () => void;
    const source = createBrpSourceApp({ personen: loadPersonen() });
    let sourceCalls = 0;
    const key = (oin: string) => gw.key(oin) as unknown as RawJwk;
    const post = (oin: string, activity: string, body: unknown, extra: Partial<RawRequest> = {}) =>
      sendRaw(origin, {
        method: 'POST',
        targetUri: PERSONEN,
        body: typeof body === 'string' ? body : JSON.stringify(body),
        key: key(oin),
        processingActivity: activity,
        ...extra,
      });

    beforeAll(async () => {
      gw = await startTestGateway(dialect, {
        source: {
          fetch: async (input, init) => {
            sourceCalls++;
            return source.request(String(input), init);
          },
        },
      });
      ({ origin, close: stop } = await listen(gw.app.fetch));
    });
    afterAll(async () => {
      stop();
      await gw.close();
    });

    describe('1. a search parameter is data: it needs the autorisatie of what it selects on', () => {
      const address = (extra: Record<string, unknown>) => ({
        type: 'ZoekMetPostcodeEnHuisnummer',
        postcode: '1091PN',
        huisnummer: 1,
        fields: ['naam.geslachtsnaam'],
        ...extra,
      });

      it('refuses inclusiefOverledenPersonen to Utrecht (Wmo, no overlijden), so the hit count tells nothing', async () => {
        const plain = await post(DEMO_OIN.utrecht, WMO, address({}));
        expect(plain.status).toBe(200);
        expect(((await plain.json()) as { personen: unknown[] }).personen).toEqual([]);
        const calls = sourceCalls;
        const problem = await problemOf(
          await post(DEMO_OIN.utrecht, WMO, address({ inclusiefOverledenPersonen: true })),
          403,
          'unauthorizedParameter',
        );
        expect(problem.invalidParams?.[0]?.name).toBe('inclusiefOverledenPersonen');
        expect(sourceCalls).toBe(calls);
      });

      it('lets an afnemer authorised for overlijden search the deceased', async () => {
        const res = await post(
          DEMO_OIN.rotterdam,
          DEMO_PROCESSING_ACTIVITY.rotterdamBijstand,
          address({ inclusiefOverledenPersonen: true }),
        );
        expect(res.status).toBe(200);
        expect(((await res.json()) as { personen: unknown[] }).personen).toHaveLength(1);
      });

      it('refuses geslacht and gemeenteVanInschrijving to Haarlem, whatever their value', async () => {
        const search = (extra: Record<string, unknown>) => ({
          type: 'ZoekMetGeslachtsnaamEnGeboortedatum',
          geslachtsnaam: 'Moulin',
          geboortedatum: '1985-12-01',
          fields: ['naam.voornamen'],
          ...extra,
        });
        for (const extra of [{ geslacht: 'V' }, { geslacht: 'M' }, { gemeenteVanInschrijving: '0599' }]) {
          const problem = await problemOf(
            await post(DEMO_OIN.haarlem, DEMO_PROCESSING_ACTIVITY.haarlemBijstand, search(extra)),
            403,
            'unauthorizedParameter',
          );
          expect(problem.invalidParams?.map((p) => p.name)).toEqual(Object.keys(extra));
        }
      });

      it('refuses a member the search type does not know (400 unknownParam)', async () => {
        const problem = await problemOf(
          await post(DEMO_OIN.utrecht, WMO, address({ geslacht: 'V' })),
          400,
          'paramsValidation',
        );
        expect(problem.invalidParams).toMatchObject([{ name: 'geslacht', code: 'unknownParam' }]);
      });
    });

    describe('2. the fields the BRP delivers automatically', () => {
      it('passes geheimhoudingPersoonsgegevens from the source to the afnemer', async () => {
        const res = await post(DEMO_OIN.utrecht, WMO, {
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: ['999993872'],
          fields: ['naam.geslachtsnaam'],
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ personen: [{ geheimhoudingPersoonsgegevens: true }] });
      });

      it('refuses to be asked for one (400)', async () => {
        await problemOf(
          await post(DEMO_OIN.utrecht, WMO, {
            type: 'RaadpleegMetBurgerservicenummer',
            burgerservicenummer: ['999993872'],
            fields: ['geheimhoudingPersoonsgegevens'],
          }),
          400,
          'paramsValidation',
        );
      });
    });

    describe('3. errors as the BRP API writes them, whatever is sent', () => {
      const raadpleeg = (fields: unknown) => ({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: ['999993653'],
        fields,
      });
      it.each([
        ['an unknown field', raadpleeg(['naam.bestaatniet']), 400, 'paramsValidation'],
        ['a malformed field', raadpleeg(['naam voornamen']), 400, 'paramsValidation'],
        ['fields as a string', raadpleeg('naam.voornamen'), 400, 'paramsValidation'],
        ['an unknown type', { type: 'ZoekMetKleur', fields: ['naam.voornamen'] }, 400, 'paramsValidation'],
        [
          'a BSN failing the elfproef',
          { ...raadpleeg(['naam.voornamen']), burgerservicenummer: ['123456789'] },
          400,
          'paramsValidation',
        ],
        ['a body nested 5000 deep', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, 400, 'paramsValidation'],
        ['not JSON', '{"type":', 400, 'paramsValidation'],
        ['an unauthorised field', raadpleeg(['partners.naam.voornamen']), 403, 'unauthorizedField'],
      ])('%s: %s', async (_what, body, status, code) => {
        const problem = await problemOf(await post(DEMO_OIN.utrecht, WMO, body), status, code);
        expect(problem.instance).toBe(PERSONEN);
      });

      it('answers 406 to Accept: application/xml and 415 to a body that is not JSON', async () => {
        await problemOf(
          await post(DEMO_OIN.utrecht, WMO, raadpleeg(['naam.voornamen']), { headers: { accept: 'application/xml' } }),
          406,
          'notAcceptable',
        );
        await problemOf(
          await post(DEMO_OIN.utrecht, WMO, raadpleeg(['naam.voornamen']), { headers: { 'content-type': 'text/xml' } }),
          415,
          'unsupportedMediaType',
        );
      });

      it('still refuses what the core refused: a replay, a changed body, an unsigned request', async () => {
        const request: RawRequest = {
          method: 'POST',
          targetUri: PERSONEN,
          body: JSON.stringify(raadpleeg(['naam.voornamen'])),
          key: key(DEMO_OIN.utrecht),
          processingActivity: WMO,
        };
        const headers = signRaw(request);
        const send = (body: string, h: Record<string, string>) =>
          fetch(`${origin}/personen`, { method: 'POST', headers: h, body });
        expect((await send(request.body ?? '', headers)).status).toBe(200);
        await problemOf(await send(request.body ?? '', headers), 401, 'authentication');
        const fresh = signRaw(request);
        await problemOf(await send(JSON.stringify(raadpleeg(['naam.geslachtsnaam'])), fresh), 401, 'authentication');
        await problemOf(
          await send(request.body ?? '', { 'content-type': 'application/json', 'processing-activity': WMO }),
          401,
          'authentication',
        );
      });
    });

    describe('4. one confidentiality rule for every citizen read', () => {
      it("hides a confidential access from the timeline and from the record's proof", async () => {
        const res = await post(DEMO_OIN.sHertogenbosch, DEMO_PROCESSING_ACTIVITY.denBoschFraude, {
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: ['999993653'],
          fields: ['naam.geslachtsnaam'],
        });
        expect(res.status).toBe(200);
        const transaction = res.headers.get('fsc-transaction-id') ?? '';
        await gw.signTreeHead();
        const row = await gw.db
          .selectFrom('access_log')
          .select('id')
          .where('transaction_id', '=', transaction)
          .executeTakeFirstOrThrow();
        const token = await gw.citizenToken({ sub: '999993653' });
        const auth = { authorization: `Bearer ${token}` };
        const timeline = await (await fetch(`${origin}/inzage/v1/verwerkingen?limit=100`, { headers: auth })).text();
        expect(timeline).not.toContain(row.id);
        const proof = await fetch(`${origin}/inzage/v1/verwerkingen/${row.id}/bewijs`, { headers: auth });
        expect(proof.status).toBe(404);
        expect(await proof.text()).not.toContain('onderzoek-bijstandsfraude');
      });
    });

    describe('5. the columns a report reads are served beside the proven record', () => {
      it("shows an auditor's own client a column edited behind its record", async () => {
        const res = await post(DEMO_OIN.utrecht, WMO, {
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: ['999993653'],
          fields: ['naam.voornamen'],
        });
        const transaction = res.headers.get('fsc-transaction-id') ?? '';
        await gw.signTreeHead();
        const row = await gw.db
          .selectFrom('access_log')
          .select(['id', 'log_id', 'leaf_index'])
          .where('transaction_id', '=', transaction)
          .executeTakeFirstOrThrow();
        await gw.db
          .updateTable('access_log')
          .set({ released_fields: '["partners.naam.voornamen"]' })
          .where('id', '=', row.id)
          .execute();
        const index = Number(row.leaf_index);
        const entries = await sendRaw(origin, {
          method: 'GET',
          targetUri: `${GATEWAY_URL}/log/v1/${row.log_id}/entries?start=${index}&end=${index + 1}`,
          key: key(DEMO_OIN.autoriteitPersoonsgegevens),
        });
        expect(entries.status).toBe(200);
        const [entry] = (
          (await entries.json()) as {
            entries: { record: { attributes: Record<string, unknown> }; columns: Record<string, unknown> }[];
          }
        ).entries;
        expect(entry?.columns.released_fields).toBe('["partners.naam.voornamen"]');
        expect(entry?.record.attributes['poortwachter.released_fields']).toEqual(['naam.voornamen']);
        // Refusals are leaves of the same log.
        expect(
          Number((await gw.db.selectFrom('refusals').select('leaf_index').limit(1).executeTakeFirst())?.leaf_index),
        ).toBeGreaterThanOrEqual(0);
      });
    });

    describe('6. exposure and hygiene', () => {
      it('takes a client that hangs up mid-body as requestAborted: no stack trace, the gateway goes on', async () => {
        const errors = vi.spyOn(console, 'error');
        const body = JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', fields: ['naam.voornamen'] });
        const headers = signRaw({
          method: 'POST',
          targetUri: PERSONEN,
          body,
          key: key(DEMO_OIN.utrecht),
          processingActivity: WMO,
        });
        const { request } = await import('node:http');
        await new Promise<void>((resolve) => {
          const req = request(`${origin}/personen`, {
            method: 'POST',
            headers: { ...headers, 'content-length': String(body.length + 1000) },
          });
          req.on('error', () => resolve());
          req.write(body.slice(0, 20));
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 50);
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const refusals = await gw.refusals();
        expect(refusals.at(-1)).toMatchObject({ reason: 'requestAborted', caller_oin: null });
        const logged = errors.mock.calls.flat().map((a) => (a instanceof Error ? `${a.stack}` : String(a)));
        expect(logged.join(' ')).not.toMatch(/\n\s+at /);
        errors.mockRestore();
        expect((await fetch(`${origin}/healthz`)).status).toBe(200);
      });

      it('bounds what unauthenticated requests write: 300 unsigned requests are one counted refusal', async () => {
        const before = (await gw.refusals()).length;
        await Promise.all(
          Array.from({ length: 300 }, () =>
            fetch(`${origin}/personen`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'content-digest': contentDigest('{}') },
              body: '{}',
            }),
          ),
        );
        const after = await gw.refusals();
        expect(after.length - before).toBe(1);
        expect(after.at(-1)).toMatchObject({ reason: 'signatureMissing', count: 300, caller_oin: null });
      });

      it('answers a schema named __proto__ or constructor as unknown: lookups use own properties', async () => {
        for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
          const res = await gw.registry.app.request(`/v1/schemas/${name}.json`);
          expect(res.status, name).toBe(404);
        }
      });
    });
  });
}

describe('a source that misbehaves, over real HTTP', () => {
  let bad: Server;
  let gw: TestGateway;
  let origin: string;
  let stop: () => void;
  let answer: (res: import('node:http').ServerResponse) => void = () => undefined;
  const personal = 'Suzanne Moulin 999993653 1985-12-01';

  beforeAll(async () => {
    bad = createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res));
    });
    await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
    gw = await startTestGateway('sqlite', {
      source: { url: `http://127.0.0.1:${(bad.address() as AddressInfo).port}` },
    });
    ({ origin, close: stop } = await listen(gw.app.fetch));
  });
  afterAll(async () => {
    stop();
    bad.close();
    await gw.close();
  });

  const shapes: [string, (res: import('node:http').ServerResponse) => void, number][] = [
    [
      'a problem full of personal data',
      (res) =>
        res.writeHead(400, { 'content-type': 'application/problem+json' }).end(
          JSON.stringify({
            status: 400,
            code: 'paramsValidation',
            title: personal,
            detail: personal,
            invalidParams: [{ name: personal, code: 'x', reason: personal }],
          }),
        ),
      400,
    ],
    ['HTML', (res) => res.writeHead(400, { 'content-type': 'text/html' }).end(`<h1>${personal}</h1>`), 400],
    [
      'a huge body',
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`"${personal.repeat(40_000)}"`),
      502,
    ],
    [
      'the right body with the wrong content type',
      (res) =>
        res.writeHead(200, { 'content-type': 'text/plain' }).end(
          JSON.stringify({
            type: 'RaadpleegMetBurgerservicenummer',
            personen: [{ burgerservicenummer: '999993653' }],
          }),
        ),
      502,
    ],
    [
      'a 200 with a malformed body',
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"personen":"${personal}"}`),
      502,
    ],
    [
      'a 500 with personal data',
      (res) => res.writeHead(500, { 'content-type': 'application/json' }).end(`{"detail":"${personal}"}`),
      502,
    ],
  ];
  it.each(shapes)(
    '%s: the afnemer gets only what the gateway decided, and it is recorded',
    async (_what, shape, status) => {
      answer = shape;
      const before = (await gw.refusals()).length;
      const res = await sendRaw(origin, {
        method: 'POST',
        targetUri: PERSONEN,
        body: JSON.stringify({
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: ['999993653'],
          fields: ['naam.voornamen'],
        }),
        key: gw.key(DEMO_OIN.utrecht) as unknown as RawJwk,
        processingActivity: WMO,
      });
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(text).not.toMatch(/Suzanne|Moulin|999993653|1985/);
      expect(specProblemErrors(JSON.parse(text))).toEqual([]);
      expect((await gw.refusals()).length).toBe(before + 1);
      expect(await gw.accessRecords()).toHaveLength(0);
    },
  );
});

// Last in this file: the operational log of everything above.
describeOperationalLog([
  'digestMismatch',
  'invalidRequest',
  'logEntryNotFound',
  'notAcceptable',
  'replayedNonce',
  'requestAborted',
  'signatureMissing',
  'sourceError',
  'sourceInvalidAnswer',
  'sourceRefused',
  'sourceUnreachable',
  'unauthorizedField',
  'unauthorizedParameter',
  'unsupportedMediaType',
]);
