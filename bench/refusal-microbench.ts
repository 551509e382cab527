/**
 * Microbenchmark of a refusal over the quota (issue 27: one afnemer flooding must not move another's
 * latency): the CPU time one refused call costs the gateway, in-process (`app.request()`, no network,
 * no load generator), beside a bare hono app that answers 429 at once. An afnemer (Utrecht) with a
 * quota of one request spends it, then sends N pre-signed queries, each refused with 429. Prints µs of
 * CPU per call. Run: `pnpm bench:refusal` (N, default 5000).
 */
import { callerQuotas } from '@poortwachter/gateway';
import { GATEWAY_URL, startTestGateway } from '@poortwachter/gateway/testing';
import { type SignedRequest, signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { Hono } from 'hono';

const N = Number(process.env.N ?? 5000);
const WARM = 500;
// The quotas' clock stands still: nothing refills while the refused calls are timed.
const clock = Date.now();
const gw = await startTestGateway('sqlite', {
  quotas: callerQuotas({ callers: { requestsPerSecond: 1, burst: 1 } }, { now: () => clock }),
});
const body = JSON.stringify({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['burgerservicenummer'],
});
const key = gw.key(DEMO_OIN.utrecht);
const requests: SignedRequest[] = [];
for (let i = 0; i < N + WARM + 1; i++) {
  requests.push(
    await signRequest({
      url: `${GATEWAY_URL}/personen`,
      body,
      privateKey: key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    }),
  );
}
const bare = new Hono();
bare.post('/personen', async (c) => {
  await c.req.text();
  return c.body('{"status":429}', 429, { 'content-type': 'application/problem+json', 'retry-after': '1' });
});

async function time(label: string, status: number, run: (i: number) => Response | Promise<Response>) {
  for (let i = 0; i < WARM; i++) await (await run(i)).arrayBuffer();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = WARM; i < N + WARM; i++) {
    const res = await run(i);
    if (res.status !== status) throw new Error(`${label}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  const cpu = process.cpuUsage(cpu0);
  const us = (x: number) => x.toFixed(0).padStart(6);
  console.log(
    `${label.padEnd(36)} ${us(((performance.now() - t0) / N) * 1000)} µs wall ${us((cpu.user + cpu.system) / N)} µs cpu per call`,
  );
}

const call = (i: number) => {
  const r = requests[i + 1] as SignedRequest;
  return gw.app.request(r.url, { method: 'POST', headers: r.headers, body: r.body });
};
// The one request of the quota.
const first = requests[0] as SignedRequest;
const spent = await gw.app.request(first.url, { method: 'POST', headers: first.headers, body: first.body });
if (spent.status !== 200) throw new Error(`the first call: ${spent.status} ${await spent.text()}`);
await time('bare hono 429', 429, () =>
  bare.request('/personen', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
);
await time('gateway: afnemer over its quota', 429, call);
await gw.close();
