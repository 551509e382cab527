/**
 * Quotas per caller (issue 27, section 4), from outside: the gateway and an outway on 127.0.0.1, raw
 * HTTP signed by `raw-client.ts`. An afnemer over its quota gets 429 with `Retry-After`, the BRP
 * problem and `ERROR_CODE_RATE_LIMITED`, while another is served; the refusal is in the log (a flood
 * as one counted row) and in the metrics; over its quota a call is refused before its signature is
 * checked, charged to nobody; the bronhouder's quota on a contract lets a big afnemer do more; a forger
 * that names another's key spends nothing of its quota; citizens count by subject,
 * public log reads by address, an outway's applications each by their own. The quotas' clock is the
 * test's, so nothing refills unless the test moves it.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createBrpSourceApp } from '@poortwachter/example-brp-source';
import { callerQuotas } from '@poortwachter/gateway';
import {
  GATEWAY_URL,
  OUTWAY_ADMIN_TOKEN,
  specProblemErrors,
  startTestGateway,
  startTestOutway,
  type TestGateway,
  type TestOutway,
} from '@poortwachter/gateway/testing';
import { startTelemetry, type Telemetry } from '@poortwachter/operations';
import {
  READ_RESPONSE_COMPONENTS,
  RESPONSE_COMPONENTS,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import { contentHash, newContractContent, signContract } from '@poortwachter/protocol/contracts';
import { findContractHash, grantByContract } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, loadPersonen } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, sendRaw } from './raw-client.ts';

const LIMIT = { requestsPerSecond: 1, burst: 5 };
const SUZANNE = '999993653';

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** The 429 as the BRP API writes a problem, with `Retry-After` and the FSC code. */
async function expectRateLimited(res: Response) {
  const text = await res.text();
  expect(res.status, text).toBe(429);
  expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_RATE_LIMITED');
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  const problem = JSON.parse(text) as { status: number; code: string; type: string };
  expect(problem).toMatchObject({ status: 429, code: 'tooManyRequests' });
  expect(specProblemErrors(problem)).toEqual([]);
}

/** Sends `n` requests one after another; the statuses. */
async function statuses(n: number, send: () => Promise<Response>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await send();
    seen.push(res.status);
    await res.body?.cancel();
  }
  return seen;
}

describe('quotas at the inway, over HTTP', () => {
  let gw: TestGateway;
  let origin: string;
  let stop: () => void;
  let telemetry: Telemetry;
  let clock = Date.now();
  const source = createBrpSourceApp({ personen: loadPersonen() });
  const query = (oin: string, activity: string, key?: RawJwk) =>
    sendRaw(origin, {
      method: 'POST',
      targetUri: `${GATEWAY_URL}/personen`,
      key: key ?? (gw.key(oin) as unknown as RawJwk),
      processingActivity: activity,
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: [SUZANNE],
        fields: ['burgerservicenummer'],
      }),
    });
  const haarlem = () => query(DEMO_OIN.haarlem, DEMO_PROCESSING_ACTIVITY.haarlemBijstand);
  const utrecht = () => query(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo);
  const uwv = () => query(DEMO_OIN.uwv, DEMO_PROCESSING_ACTIVITY.uwvWw);

  beforeAll(async () => {
    telemetry = startTelemetry('poortwachter-gateway', { OTEL_METRICS_EXPORTER: 'prometheus' });
    gw = await startTestGateway('sqlite', {
      source: { fetch: async (input, init) => source.request(String(input), init) },
      quotas: callerQuotas(
        { callers: LIMIT, citizens: { requestsPerSecond: 1, burst: 3 }, addresses: LIMIT },
        { now: () => clock },
      ),
    });
    ({ origin, close: stop } = await listen(gw.app.fetch));
  });
  afterAll(async () => {
    stop();
    await gw.close();
    await telemetry.shutdown();
  });

  it('an afnemer over its quota gets 429 with Retry-After, the BRP problem and the FSC code; another is served', async () => {
    expect(await statuses(LIMIT.burst, haarlem)).toEqual([200, 200, 200, 200, 200]);
    await expectRateLimited(await haarlem());
    expect(await statuses(1, utrecht)).toEqual([200]);
  });

  it('records the refusals in the log: the first of the minute verified, under its OIN; the rest counted, as nobody identified; and counts them in the metrics', async () => {
    expect(await statuses(3, haarlem)).toEqual([429, 429, 429]);
    const rows = (await gw.refusals()).filter((r) => r.reason === 'rateLimited');
    // The first of the minute was verified and is written at once, under Haarlem's OIN. The other three
    // were refused before their signatures were checked: counted into one row that names nobody.
    expect(rows.filter((r) => r.caller_oin === DEMO_OIN.haarlem).map((r) => r.count)).toEqual([1]);
    expect(rows.filter((r) => r.caller_oin === null).map((r) => r.count)).toEqual([3]);
    expect(rows.every((r) => r.status === 429 && r.fsc_error_code === 'ERROR_CODE_RATE_LIMITED')).toBe(true);
    const text = await telemetry.prometheus();
    expect(text).toMatch(/^poortwachter_gateway_refusals_total\{reason="rateLimited".*\} 4$/m);
  });

  it('over its quota, a call naming the afnemer’s key is refused before its signature is checked: signed, not bound, and charged to nobody', async () => {
    // Haarlem is over its quota and was refused (verified) this minute. A forgery naming Haarlem's key
    // is refused like Haarlem's own calls, 429 rather than 401: its signature was never checked.
    const kid = (gw.key(DEMO_OIN.haarlem) as { kid: string }).kid;
    const forged = {
      ...(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as RawJwk),
      kid,
    } as RawJwk;
    const before = await gw.refusals();
    const forgery = await query(DEMO_OIN.haarlem, DEMO_PROCESSING_ACTIVITY.haarlemBijstand, forged);
    const text = await forgery.clone().text();
    await expectRateLimited(forgery);
    // The 429 is the bronhouder's, signed as every refusal of a call nobody was identified by: without
    // `;req` (the sdk and the outway accept that for a refusal; it carries no data).
    const { d: _, ...publicKey } = gw.key(DEMO_OIN.rvig);
    const answer = {
      status: forgery.status,
      header: (name: string) => forgery.headers.get(name),
    };
    const check = (requiredComponents: readonly string[]) =>
      verifyMessage(answer, {
        requiredComponents,
        requireExpiresAndNonce: false,
        publicKeyFor: () => publicKey,
        now: Math.floor(Date.now() / 1000),
      });
    await verifyContentDigest(forgery.headers.get('content-digest'), text);
    await expect(check(READ_RESPONSE_COMPONENTS)).resolves.toBeDefined();
    await expect(check(RESPONSE_COMPONENTS)).rejects.toThrow();
    // Nothing of it is charged to Haarlem: the log counts it as a refusal nobody was identified by.
    const after = await gw.refusals();
    const sum = (rows: typeof before, oin: string | null) =>
      rows.filter((r) => r.reason === 'rateLimited' && r.caller_oin === oin).reduce((n, r) => n + r.count, 0);
    expect(sum(after, DEMO_OIN.haarlem)).toBe(sum(before, DEMO_OIN.haarlem));
    expect(sum(after, null)).toBe(sum(before, null) + 1);
    // And it spent nothing: a second later Haarlem's one refilled call is served.
    clock += 1000;
    expect(await statuses(1, haarlem)).toEqual([200]);
  });

  it('the quota the bronhouder grants on a contract lets a big afnemer do more', async () => {
    const request = gw.registry.app.request;
    const hash = await findContractHash(request, {
      afnemerOin: DEMO_OIN.uwv,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
    });
    const current = (await (await request(`/v1/contracts/${encodeURIComponent(hash)}`)).json()) as {
      content: { grants: [{ data: { properties: { fields: string[]; search_types: string[] } } }] };
    };
    const { fields, search_types: searchTypes } = current.content.grants[0].data.properties;
    const terms = {
      afnemerOin: DEMO_OIN.uwv,
      serviceId: 'brp-personen',
      bronhouderOin: DEMO_OIN.rvig,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
      processingActivityVersion: 1,
      grondslagId: 'wet-suwi-art-62',
      fields,
      searchTypes,
      validFrom: new Date(Date.now() - 60_000),
      validTo: new Date(Date.now() + 86_400_000),
      groupId: 'poortwachter-demo',
    };
    const zero = newContractContent({ ...terms, quota: { requestsPerSecond: 0, burst: 20 } });
    const refused = await request('/v1/contracts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        content: zero,
        signature: await signContract(contentHash(zero), 'accept', gw.key(DEMO_OIN.uwv)),
      }),
    });
    expect(refused.status).toBe(400);
    const problem = (await refused.json()) as { invalidParams: { name: string }[] };
    expect(problem.invalidParams.map((p) => p.name)).toContain(
      'content.grants.0.data.properties.quota.requestsPerSecond',
    );
    // UWV proposes, RvIG accepts: the larger quota of UWV's two contracts counts.
    const granted = await grantByContract(request, gw.registry.keyDir, {
      afnemerOin: DEMO_OIN.uwv,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
      fields,
      searchTypes,
      quota: { requestsPerSecond: 1, burst: 20 },
    });
    expect(granted.state).toBe('inForce');
    expect(granted.content.grants[0].data.properties.quota).toEqual({ requestsPerSecond: 1, burst: 20 });
    await gw.refreshDirectory();
    expect((await statuses(20, uwv)).every((s) => s === 200)).toBe(true);
    await expectRateLimited(await uwv());
  });

  it('a contract that grants nothing yet brings no quota: a larger one from next year does not lift today’s', async () => {
    const request = gw.registry.app.request;
    const hash = await findContractHash(request, {
      afnemerOin: DEMO_OIN.uwv,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
    });
    const current = (await (await request(`/v1/contracts/${encodeURIComponent(hash)}`)).json()) as {
      content: { grants: [{ data: { properties: { fields: string[]; search_types: string[] } } }] };
    };
    const { fields, search_types: searchTypes } = current.content.grants[0].data.properties;
    const nextYear = Date.now() + 365 * 86_400_000;
    const future = await grantByContract(request, gw.registry.keyDir, {
      afnemerOin: DEMO_OIN.uwv,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
      fields,
      searchTypes,
      quota: { requestsPerSecond: 1000, burst: 1000 },
      validFrom: new Date(nextYear).toISOString(),
    });
    expect(future.state).toBe('notYetValid');
    await gw.refreshDirectory();
    // A minute on, UWV's bucket is full again: the burst of the contract in force (20), not 1000.
    clock += 60_000;
    expect((await statuses(20, uwv)).every((s) => s === 200)).toBe(true);
    await expectRateLimited(await uwv());
  });

  it('a forger that names another afnemer’s key spends nothing of its quota; its failures spend its address’s', async () => {
    clock += 60_000;
    const kid = (gw.key(DEMO_OIN.utrecht) as { kid: string }).kid;
    const forged = {
      ...(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as RawJwk),
      kid,
    } as RawJwk;
    const forgeries = await statuses(LIMIT.burst + 3, () =>
      query(DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, forged),
    );
    expect(forgeries).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // One second later the address may try once more; Utrecht's own quota is whole.
    clock += 1000;
    expect(await statuses(LIMIT.burst, utrecht)).toEqual([200, 200, 200, 200, 200]);
    await expectRateLimited(await utrecht());
  });

  it('citizen reads count by the token’s subject', async () => {
    const read = (token: string) =>
      fetch(`${origin}/inzage/v1/verwerkingen`, { headers: { authorization: `Bearer ${token}` } });
    const suzanne = await gw.citizenToken({ sub: SUZANNE });
    const other = await gw.citizenToken({ sub: '999991292' });
    expect(await statuses(3, () => read(suzanne))).toEqual([200, 200, 200]);
    await expectRateLimited(await read(suzanne));
    expect(await statuses(1, () => read(other))).toEqual([200]);
  });

  it('the public log reads count by client address, apart from its signed calls', async () => {
    clock += 60_000;
    const heads = () => fetch(`${origin}/log/v1/heads`);
    expect(await statuses(LIMIT.burst, heads)).toEqual([200, 200, 200, 200, 200]);
    await expectRateLimited(await heads());
    expect(await statuses(1, haarlem)).toEqual([200]);
  });
});

describe('quotas at the outway, per application, over HTTP', () => {
  let ow: TestOutway;
  let origin: string;
  let stop: () => void;
  const clock = Date.now();

  beforeAll(async () => {
    ow = await startTestOutway('sqlite', { quotas: callerQuotas({ callers: LIMIT }, { now: () => clock }) });
    ({ origin, close: stop } = await listen(ow.outway.app.fetch));
  });
  afterAll(async () => {
    stop();
    await ow.close();
  });

  it('an application over its quota gets 429 with the problem and the FSC code; another application is served', async () => {
    const registered = await fetch(`${origin}/admin/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OUTWAY_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Tweede zaaksysteem',
        processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo],
        defaultProcessingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      }),
    });
    expect(registered.status).toBe(201);
    const { apiKey: second } = (await registered.json()) as { apiKey: string };
    const ask = (apiKey: string) =>
      fetch(`${origin}/brp-personen/personen`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: [SUZANNE],
          fields: ['burgerservicenummer'],
        }),
      });
    expect(await statuses(LIMIT.burst, () => ask(ow.apiKey))).toEqual([200, 200, 200, 200, 200]);
    await expectRateLimited(await ask(ow.apiKey));
    expect(await statuses(1, () => ask(second))).toEqual([200]);
  });
});
