/**
 * Microbenchmark of the outway alone: Gemeente Utrecht's outway in front of a test inway, both
 * in-process (`startTestOutway`, SQLite), no network and no load generator. It times the inway alone
 * (pre-signed requests, as the outway would send them) and then app → outway → inway; the difference
 * is what the outway itself costs per request (its signing, the answer's verification, its records
 * and their log writes). CONCURRENCY (default 16) requests in flight, so the group commits batch as
 * under load; ROUNDS (default 3) alternating rounds; with PROFILE=file.cpuprofile a CPU profile of
 * the last outway round. Run: `npx tsx --conditions=source bench/outway-microbench.ts`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { GATEWAY_URL, startTestOutway } from '@poortwachter/gateway/testing';
import { type SignedRequest, signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';

const N = Number(process.env.N ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const t = await startTestOutway('sqlite');
const fields = ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.postcode'];
const body = JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields });
const key = t.gateway.key(DEMO_OIN.utrecht);
const presigned: SignedRequest[] = [];
for (let i = 0; i < (N + 200) * ROUNDS; i++) {
  presigned.push(
    await signRequest({
      url: `${GATEWAY_URL}/personen`,
      body,
      privateKey: key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    }),
  );
}
let used = 0;

async function time(label: string, run: () => Promise<Response>, profile?: string) {
  for (let i = 0; i < 200; i++) await (await run()).arrayBuffer();
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  let left = N;
  const worker = async () => {
    while (left-- > 0) {
      const res = await run();
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cpu = process.cpuUsage(cpu0);
  if (session && profile) {
    const { profile: data } = await session.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(data));
  }
  return (cpu.user + cpu.system) / N;
}

const inwayAlone = () => {
  const r = presigned[used++] as SignedRequest;
  // As the outway's calls reach the inway in `startTestOutway`: a Request made from the call.
  return Promise.resolve(
    t.gateway.app.request(new Request(r.url, { method: 'POST', headers: r.headers, body: r.body })),
  );
};
const throughOutway = () => t.send(body);
const inway: number[] = [];
const both: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  inway.push(await time('inway alone', inwayAlone));
  both.push(await time('app → outway → inway', throughOutway, round === ROUNDS - 1 ? process.env.PROFILE : undefined));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const us = (n: number) => n.toFixed(0).padStart(6);
console.log(
  `inway alone            ${us(median(inway))} µs cpu per request (rounds ${inway.map((n) => n.toFixed(0)).join('/')})`,
);
console.log(
  `app → outway → inway   ${us(median(both))} µs cpu per request (rounds ${both.map((n) => n.toFixed(0)).join('/')})`,
);
const own = both.map((b, i) => b - (inway[i] ?? 0));
console.log(
  `the outway's own       ${us(median(own))} µs cpu per request (rounds ${own.map((n) => n.toFixed(0)).join('/')})`,
);
await t.close();
