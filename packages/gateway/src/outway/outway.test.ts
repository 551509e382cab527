import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { makeTestCertificates } from '@poortwachter/operations/testing';
import { signRequest, verifyExchange } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { createOrganisationClient } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logKeyId } from '../log/pseudonym.ts';
import {
  describeOperationalLog,
  OUTWAY_ADMIN_TOKEN,
  OUTWAY_URL,
  specProblemErrors,
  startTestOutway,
  type TestOutway,
} from '../testing/index.ts';
import { registerApplication } from './applications.ts';

const SUZANNE = '999993653';
interface Problem {
  readonly instance: string;
  readonly code: string;
  readonly detail: string;
  readonly invalidParams: { readonly name: string }[];
}
const problemOf = async (res: Response) => (await res.json()) as Problem;
const query = { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [SUZANNE], fields: ['naam.voornamen'] };

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the outway (${dialect})`, () => {
    let t: TestOutway;
    beforeAll(async () => {
      t = await startTestOutway(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });
    afterEach(() => {
      t.provider = (request) => t.gateway.app.request(request);
    });

    const outwayRecords = async () => {
      await t.outway.drain();
      return (await t.outway.db.selectFrom('access_log').select(['record', 'transaction_id']).execute()).map((r) => ({
        ...(JSON.parse(r.record) as { attributes: Record<string, unknown> }),
        transaction_id: r.transaction_id,
      }));
    };
    const outwayRefusals = async () => {
      await t.outway.drain();
      return t.outway.db
        .selectFrom('refusals')
        .select(['reason', 'status', 'caller_oin', 'keyid', 'detail', 'count'])
        .execute();
    };

    it('answers the spec body with the provider body byte for byte, after logging it with the evidence', async () => {
      let providerBody = '';
      let providerHeaders: Headers | undefined;
      t.provider = async (request) => {
        providerHeaders = request.headers;
        const res = await t.gateway.app.request(request);
        providerBody = await res.clone().text();
        return res;
      };
      const res = await t.send(query, { 'x-user-reference': 'medewerker-042' });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).toBe(providerBody);
      expect(JSON.parse(text).personen[0].naam.voornamen).toBe('Suzanne');
      // The application's user reference stays with the afnemer; the signing is ours.
      expect(providerHeaders?.get('x-user-reference')).toBeNull();
      expect(providerHeaders?.get('x-api-key')).toBeNull();
      expect(providerHeaders?.get('processing-activity')).toBe(DEMO_PROCESSING_ACTIVITY.utrechtWmo);
      expect(providerHeaders?.get('signature')).toMatch(/^sig1=:/);
      const transactionId = res.headers.get('fsc-transaction-id');
      const record = (await outwayRecords()).find((r) => r.transaction_id === transactionId);
      expect(record?.attributes).toMatchObject({
        'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.utrechtWmo,
        'dpl.core.data_subject_id_type': 'BSN',
        'dpl.core.foreign_operation.processor': DEMO_OIN.rvig,
        'dpl.read.externalReadAPI_id': 'https://brp.gateway.test/processing-activities',
        'poortwachter.user_reference': 'medewerker-042',
        'poortwachter.application_name': 'Wmo-zaaksysteem',
        'poortwachter.released_fields': ['naam.voornamen'],
        'poortwachter.persons_received': 1,
      });
      expect(record?.attributes['dpl.core.data_subject_id']).not.toBe(SUZANNE);
      // Its row keeps the id of the outway's log key (startTestOutway's), outside the record.
      const keyIds = await t.outway.db.selectFrom('access_log').select('log_key_id').distinct().execute();
      expect(keyIds).toEqual([{ log_key_id: logKeyId(new Uint8Array(32).fill(9)) }]);
      // The inway's record names the same exchange by the same request digest and transaction.
      const inway = (await t.gateway.accessRecords()).find((r) => r.transaction_id === transactionId);
      const inwayRecord = JSON.parse(inway?.record ?? '{}') as { attributes: Record<string, unknown>; span_id: string };
      expect(inwayRecord.attributes['poortwachter.request_digest']).toBe(
        record?.attributes['poortwachter.request_digest'],
      );
      expect(JSON.stringify(inwayRecord)).not.toContain('medewerker-042');
      // The evidence verifies later, without the body, as of the exchange.
      const rvig = t.gateway.key(DEMO_OIN.rvig);
      const evidence = record?.attributes['poortwachter.evidence'] as Parameters<typeof verifyExchange>[0];
      await expect(
        verifyExchange(evidence, {
          publicKeyFor: () => ({ ...rvig, d: undefined }) as never,
          at: Math.floor(Date.now() / 1000),
        }),
      ).resolves.toBeUndefined();
      t.provider = (request) => t.gateway.app.request(request);
    });

    it('takes the grant from Fsc-Grant-Hash on POST /personen, listed at GET /grants', async () => {
      const grants = await t.outway.app.request(`${OUTWAY_URL}/grants`, { headers: { 'x-api-key': t.apiKey } });
      const list = (await grants.json()) as {
        grants: { service: string; processingActivity: string; fscGrantHash: string }[];
      };
      const wmo = list.grants.find(
        (g) => g.service === 'brp-personen' && g.processingActivity === DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      );
      // FSC's grant hash: SHA3-512 ($1$), a ServiceConnectionGrant (3$), 64 bytes in base64url.
      expect(wmo?.fscGrantHash).toMatch(/^\$1\$3\$[A-Za-z0-9_-]{86}$/);
      const res = await t.send(query, { 'fsc-grant-hash': wmo?.fscGrantHash ?? '' }, '/personen');
      expect(res.status).toBe(200);
      const unknown = await t.send(query, { 'fsc-grant-hash': '$1$nothing' }, '/personen');
      expect(unknown.status).toBe(404);
      expect(specProblemErrors(await unknown.json())).toEqual([]);
    });

    it('refuses a missing or wrong API key (401), and sends nothing', async () => {
      let called = 0;
      t.provider = async (request) => {
        called++;
        return t.gateway.app.request(request);
      };
      const missing = await t.send(query, { 'x-api-key': '' });
      const wrong = await t.send(query, { 'x-api-key': 'pwk_not-a-key' });
      for (const res of [missing, wrong]) {
        expect(res.status).toBe(401);
        const problem = await problemOf(res);
        expect(specProblemErrors(problem)).toEqual([]);
        expect(problem.instance).toBe(`${OUTWAY_URL}/brp-personen/personen`);
      }
      expect(missing.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_TOKEN_MISSING');
      expect(wrong.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_TOKEN_INVALID');
      expect(called).toBe(0);
      t.provider = (request) => t.gateway.app.request(request);
    });

    it('refuses an activity the application is not bound to (403), before the provider is asked', async () => {
      const res = await t.send(query, { 'processing-activity': DEMO_PROCESSING_ACTIVITY.haarlemBijstand });
      expect(res.status).toBe(403);
      const problem = await problemOf(res);
      expect(specProblemErrors(problem)).toEqual([]);
      expect(problem.invalidParams[0]?.name).toBe('ProcessingActivity');
      const refusals = await outwayRefusals();
      expect(refusals.some((r) => r.reason === 'applicationNotBound' && r.caller_oin === DEMO_OIN.utrecht)).toBe(true);
    });

    it("passes the provider's refusal through as it signed it, and keeps it on record", async () => {
      // Jeugdhulp's autorisatie starts next month: the inway refuses it.
      const res = await t.send(query, { 'processing-activity': DEMO_PROCESSING_ACTIVITY.utrechtJeugd });
      expect(res.status).toBe(403);
      const problem = await problemOf(res);
      expect(specProblemErrors(problem)).toEqual([]);
      expect(problem.instance).toBe('https://brp.gateway.test/personen');
      const refusals = await outwayRefusals();
      expect(refusals.some((r) => r.reason === 'providerRefused' && r.status === 403)).toBe(true);
      // An unauthorised field is refused by the provider, too.
      const field = await t.send({ ...query, fields: ['nationaliteiten'] });
      expect(field.status).toBe(403);
      expect((await problemOf(field)).code).toBe('unauthorizedField');
    });

    it('gives every answer of the exchange its transaction id and our span: an answer, a passed-on refusal, our refusal', async () => {
      const answered = await t.send(query);
      const passedOn = await t.send(query, { 'processing-activity': DEMO_PROCESSING_ACTIVITY.utrechtJeugd });
      const ours = await t.send(query, { 'processing-activity': DEMO_PROCESSING_ACTIVITY.haarlemBijstand });
      expect([answered.status, passedOn.status, ours.status]).toEqual([200, 403, 403]);
      const ids = new Set<string>();
      for (const res of [answered, passedOn, ours]) {
        const transactionId = res.headers.get('fsc-transaction-id');
        expect(transactionId).toMatch(/^[0-9a-f-]{36}$/);
        ids.add(transactionId ?? '');
        expect(res.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      }
      expect(ids.size).toBe(3);
      // The span named is the outway's own, the parent of its record of the answer.
      const record = (await outwayRecords()).find(
        (r) => r.transaction_id === answered.headers.get('fsc-transaction-id'),
      );
      const parentSpanId = (record as { parent_span_id?: string } | undefined)?.parent_span_id;
      expect(parentSpanId).toMatch(/^[0-9a-f]{16}$/);
      expect(answered.headers.get('traceparent')).toContain(`-${parentSpanId}-`);
    });

    it('returns nothing of an answer whose body was changed on the way (502), and the record says so', async () => {
      t.provider = async (request) => {
        const res = await t.gateway.app.request(request);
        const body = (await res.text()).replace('Suzanne', 'Suzanna');
        return new Response(body, { status: res.status, headers: res.headers });
      };
      const res = await t.send(query);
      const text = await res.text();
      expect(res.status).toBe(502);
      expect(text).not.toContain('Suzann');
      expect(specProblemErrors(JSON.parse(text))).toEqual([]);
      const refusal = (await outwayRefusals()).find((r) => r.reason === 'providerUnverified');
      expect(refusal?.detail).toMatch(/Content-Digest/);
      t.provider = (request) => t.gateway.app.request(request);
    });

    it("says what an unsigned refusal of the provider's gateway said (a rolled-back log: 503), and passes none of it on", async () => {
      // What an inway that refuses to serve from a rolled-back log answers: problem+json, not signed.
      const title = 'Dienst is tijdelijk niet beschikbaar.';
      t.provider = async () =>
        new Response(
          JSON.stringify({
            type: 'about:blank',
            title,
            status: 503,
            detail: 'teruggezet log',
            code: 'serviceUnavailable',
          }),
          { status: 503, headers: { 'content-type': 'application/problem+json' } },
        );
      const res = await t.send(query);
      const problem = await problemOf(res);
      expect(res.status).toBe(502);
      expect(problem.detail).toContain(
        'antwoordde 503 zonder handtekening, met de tekst Dienst is tijdelijk niet beschikbaar. Die tekst is niet te controleren.',
      );
      expect(problem.detail).not.toContain('Content-Digest');
      expect(problem.detail).not.toContain('teruggezet log');
      const refusals = (await outwayRefusals()).filter((r) => r.reason === 'providerUnverified');
      expect(refusals.at(-1)?.detail).toContain('antwoordde 503 zonder handtekening');
      t.provider = (request) => t.gateway.app.request(request);
    });

    it('returns nothing of an answer signed for another request (502)', async () => {
      // The provider's genuine signed answer to an earlier request, replayed for this one.
      let earlier: { body: string; headers: Headers; status: number } | undefined;
      t.provider = async (request) => {
        const res = await t.gateway.app.request(request);
        const copy = { body: await res.clone().text(), headers: new Headers(res.headers), status: res.status };
        if (!earlier) {
          earlier = copy;
          return res;
        }
        const headers = new Headers(earlier.headers);
        headers.set('fsc-transaction-id', request.headers.get('fsc-transaction-id') ?? '');
        return new Response(earlier.body, { status: earlier.status, headers });
      };
      expect((await t.send(query)).status).toBe(200);
      const before = (await outwayRecords()).length;
      const res = await t.send(query);
      expect(res.status).toBe(502);
      expect(await res.text()).not.toContain('Suzanne');
      expect((await outwayRecords()).length).toBe(before);
      const refusals = (await outwayRefusals()).filter((r) => r.reason === 'providerUnverified');
      expect(refusals.at(-1)?.detail).toMatch(/does not verify|not cover|transaction/);
      t.provider = (request) => t.gateway.app.request(request);
    });

    it("passes on the provider's refusal of a request it could not tie to us (signed without ;req)", async () => {
      t.provider = async (request) => {
        const headers = new Headers(request.headers);
        headers.delete('signature');
        return t.gateway.app.request(new Request(request.url, { method: 'POST', headers, body: await request.text() }));
      };
      const res = await t.send(query);
      expect(res.status).toBe(401);
      expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_TOKEN_MISSING');
      expect(specProblemErrors(await res.json())).toEqual([]);
    });

    it('serves its own log to its organisation only, not to the provider or anyone else', async () => {
      expect((await t.send(query)).status).toBe(200);
      await t.outway.drain();
      const read = async (oin: string) => {
        const request = await signRequest({
          url: `${OUTWAY_URL}/processing-activities`,
          body: JSON.stringify({ startTime: new Date(Date.now() - 3_600_000).toISOString() }),
          privateKey: t.gateway.key(oin),
        });
        const res = await t.outway.app.request(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        return { status: res.status, body: (await res.json()) as { processingActivities?: unknown[] } };
      };
      const own = await read(DEMO_OIN.utrecht);
      expect(own.status).toBe(200);
      expect(own.body.processingActivities?.length).toBeGreaterThan(0);
      // Not even the provider it names: the records say which employee asked.
      for (const oin of [DEMO_OIN.haarlem, DEMO_OIN.rvig]) expect((await read(oin)).status).toBe(403);
      const unsigned = await t.outway.app.request(`${OUTWAY_URL}/processing-activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"startTime":"2026-01-01T00:00:00Z"}',
      });
      expect(unsigned.status).toBe(401);
    });

    it('names a provider that is down (502 serviceUnreachable)', async () => {
      t.provider = async () => {
        throw new TypeError('fetch failed');
      };
      const res = await t.send(query);
      expect(res.status).toBe(502);
      const problem = await problemOf(res);
      expect(specProblemErrors(problem)).toEqual([]);
      expect(problem.code).toBe('serviceUnreachable');
      expect(problem.detail).toContain('brp.gateway.test');
      t.provider = (request) => t.gateway.app.request(request);
    });

    it('registers applications with the admin token only, and shows the key once', async () => {
      const register = (auth: string, body: unknown) =>
        t.outway.app.request(`${OUTWAY_URL}/admin/v1/applications`, {
          method: 'POST',
          headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(
        (await register('wrong', { name: 'x', processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo] })).status,
      ).toBe(401);
      const bad = await register(OUTWAY_ADMIN_TOKEN, { name: '', processingActivities: 'x', extra: 1 });
      expect(bad.status).toBe(400);
      expect((await problemOf(bad)).invalidParams.map((p: { name: string }) => p.name).sort()).toEqual([
        'extra',
        'name',
        'processingActivities',
      ]);
      const ok = await register(OUTWAY_ADMIN_TOKEN, {
        name: 'Jeugd-app',
        processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo],
      });
      expect(ok.status).toBe(201);
      const { apiKey, id } = (await ok.json()) as { apiKey: string; id: string };
      const stored = await t.outway.db
        .selectFrom('outway_applications')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(apiKey);
      // Without a default, the app must name its activity.
      const noDefault = await t.send(query, { 'x-api-key': apiKey });
      expect(noDefault.status).toBe(400);
      expect(
        (await t.send(query, { 'x-api-key': apiKey, 'processing-activity': DEMO_PROCESSING_ACTIVITY.utrechtWmo }))
          .status,
      ).toBe(200);
    });
  });
}

describe('the outway with its registry down', () => {
  it('keeps answering from its verified directory up to the maximum age, then refuses (503)', async () => {
    let now = Date.now();
    let down = false;
    const t = await startTestOutway('sqlite', {
      now: () => now,
      directoryMaxAgeSeconds: 120,
      registryDown: () => down,
    });
    try {
      down = true;
      now += 60_000;
      expect((await t.send(query)).status).toBe(200);
      now += 120_000;
      const res = await t.send(query);
      expect(res.status).toBe(503);
      const problem = await problemOf(res);
      expect(specProblemErrors(problem)).toEqual([]);
      expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_DIRECTORY_UNAVAILABLE');
    } finally {
      await t.close();
    }
  });
});

describe('reconciling the outway log with the provider log', () => {
  it('finds an exchange on either side only, and evidence that does not verify', async () => {
    const t = await startTestOutway('sqlite');
    try {
      const route: typeof fetch = async (input, init) => {
        const url = String(input);
        if (url.startsWith('http://registry.test')) return t.gateway.registry.app.request(url, init);
        if (url.startsWith(OUTWAY_URL)) return t.outway.app.request(url, init);
        return t.gateway.app.request(url, init);
      };
      const client = createOrganisationClient({
        oin: DEMO_OIN.utrecht,
        privateKey: t.gateway.key(DEMO_OIN.utrecht),
        registryUrl: 'http://registry.test',
        registryKey: t.gateway.registry.registryPublicKey,
        fetch: route,
      });
      const from = new Date(Date.now() - 60_000);
      const sent: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await t.send(query);
        expect(res.status).toBe(200);
        sent.push(res.headers.get('fsc-transaction-id') ?? '');
      }
      await t.outway.drain();
      await t.gateway.log.drain();
      const period = { outwayUrl: OUTWAY_URL, from, to: new Date(Date.now() + 60_000) };
      const clean = await client.reconcile(period);
      expect(clean).toMatchObject({ consistent: true, matched: 4, onlyAtProvider: [], onlyAtAfnemer: [] });

      // A query signed with Utrecht's key that did not go through the outway (a stolen key).
      const stolen = await t.gateway.send(DEMO_OIN.utrecht, query, {
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      });
      expect(stolen.status).toBe(200);
      const stolenTx = stolen.headers.get('fsc-transaction-id');
      // A record lost on the provider's side, and one on the outway's side.
      await t.gateway.db
        .deleteFrom('access_log')
        .where('transaction_id', '=', sent[0] ?? '')
        .execute();
      await t.outway.db
        .deleteFrom('access_log')
        .where('transaction_id', '=', sent[1] ?? '')
        .execute();
      // An outway record whose evidence was edited.
      const edited = await t.outway.db
        .selectFrom('access_log')
        .select(['id', 'record'])
        .where('transaction_id', '=', sent[2] ?? '')
        .executeTakeFirstOrThrow();
      const record = JSON.parse(edited.record);
      record.attributes['poortwachter.evidence'].response.status = 204;
      await t.outway.db
        .updateTable('access_log')
        .set({ record: JSON.stringify(record) })
        .where('id', '=', edited.id)
        .execute();
      await t.gateway.log.drain();

      const found = await client.reconcile(period);
      expect(found.consistent).toBe(false);
      expect(found.matched).toBe(1);
      expect(found.onlyAtProvider.map((e) => e.transactionId).sort()).toEqual([sent[1], stolenTx].sort());
      expect(found.onlyAtAfnemer.map((e) => e.transactionId)).toEqual([sent[0]]);
      expect(found.onlyAtAfnemer[0]?.evidence.response.headers.signature).toMatch(/^sig1=:/);
      expect(found.unverifiedEvidence.map((e) => e.transactionId)).toEqual([sent[2]]);
    } finally {
      await t.close();
    }
  });
});

describe('the outway over HTTPS, applications with a TLS client certificate', () => {
  it('takes a registered client certificate its client CA signed instead of an API key, and no other', async () => {
    const certs = makeTestCertificates([
      { name: 'server', server: true },
      { name: 'app', subject: '/CN=wmo-zaaksysteem' },
      { name: 'stranger', subject: '/CN=wmo-zaaksysteem', selfSigned: true },
    ]);
    const dir = certs.dir;
    const read = (file: string) => readFileSync(join(dir, file));
    const t = await startTestOutway('sqlite');
    await registerApplication(t.outway.db, {
      name: 'Wmo via certificaat',
      processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo],
      defaultProcessingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      certificateSha256: new X509Certificate(read('app.pem')).fingerprint256,
    });
    // Registered too, but not signed by the outway's client CA: refused all the same.
    await registerApplication(t.outway.db, {
      name: 'Zelfgetekend',
      processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo],
      defaultProcessingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      certificateSha256: new X509Certificate(read('stranger.pem')).fingerprint256,
    });
    const server = serve({
      fetch: t.outway.app.fetch,
      port: 0,
      hostname: '127.0.0.1',
      createServer: createHttpsServer,
      serverOptions: {
        cert: read('server.pem'),
        key: read('server.key'),
        ca: read('ca.pem'),
        requestCert: true,
        rejectUnauthorized: false,
      },
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const post = (client?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/brp-personen/personen',
            method: 'POST',
            ca: read('ca.pem'),
            ...(client ? { cert: read(`${client}.pem`), key: read(`${client}.key`) } : {}),
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => {
              body += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(query));
      });
    try {
      const ok = await post('app');
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('Suzanne');
      expect((await post('stranger')).status).toBe(401);
      expect((await post()).status).toBe(401);
    } finally {
      server.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Last in this file: the operational log of everything above.
describeOperationalLog([
  'apiKeyInvalid',
  'apiKeyMissing',
  'applicationNotBound',
  'autorisatieNotYetValid',
  'directoryUnavailable',
  'grantNotFound',
  'processingActivityMissing',
  'providerUnreachable',
  'providerUnverified',
  'signatureMissing',
  'unauthorizedField',
]);
