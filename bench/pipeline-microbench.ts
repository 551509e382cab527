/**
 * Microbenchmark of the gateway pipeline alone: `app.request()` in-process, a source that answers at
 * once with the requested fields, no network and no load generator. Prints time per request; CONCURRENCY
 * (default 1) requests in flight; with PROFILE=file.cpuprofile also a CPU profile of the gateway phase only. Run: `pnpm bench:pipeline`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { GATEWAY_URL, startTestGateway } from '@poortwachter/gateway/testing';
import { type SignedRequest, signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { Hono } from 'hono';

const N = Number(process.env.N ?? 3000);
const gw = await startTestGateway('sqlite');
gw.source.state.projectFields = true;
const fields = ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.postcode'];
const body = JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields });
const key = gw.key(DEMO_OIN.utrecht);
const requests: SignedRequest[] = [];
for (let i = 0; i < N + 200; i++) {
  requests.push(
    await signRequest({
      url: `${GATEWAY_URL}/personen`,
      body,
      privateKey: key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    }),
  );
}
const canned = JSON.stringify({
  type: 'RaadpleegMetBurgerservicenummer',
  personen: [{ naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' }, burgerservicenummer: '999993653' }],
});
const bare = new Hono();
bare.post('/personen', async (c) => {
  await c.req.text();
  const res = new Response(canned, { headers: { 'content-type': 'application/json' } });
  return c.body(await res.text(), 200, { 'content-type': 'application/json' });
});

async function time(label: string, run: (i: number) => Response | Promise<Response>, profile?: string) {
  for (let i = 0; i < 200; i++) await (await run(i)).arrayBuffer();
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 200;
  // CONCURRENCY requests in flight (default 1): more than one lets the group commits batch, as under load.
  const worker = async () => {
    while (next < N + 200) {
      const res = await run(next++);
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.CONCURRENCY ?? 1) }, worker));
  const cpu = process.cpuUsage(cpu0);
  if (session && profile) {
    const { profile: data } = await session.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(data));
  }
  const perRequest = (us: number) => us.toFixed(0).padStart(6);
  console.log(
    `${label.padEnd(28)} ${perRequest(((performance.now() - t0) / N) * 1000)} µs wall  ${perRequest((cpu.user + cpu.system) / N)} µs cpu per request`,
  );
}
await time('bare hono (no checks)', () =>
  bare.request('/personen', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
);
await time(
  'gateway pipeline',
  (i) => {
    const r = requests[i] as SignedRequest;
    return gw.app.request(r.url, { method: 'POST', headers: r.headers, body: r.body });
  },
  process.env.PROFILE,
);
await gw.close();
