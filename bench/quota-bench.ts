/**
 * `pnpm bench:quota` (part of `pnpm bench`): does one afnemer flooding the inway move another
 * afnemer's latency? Issue 27's target: B's p99 moves by at most 2 ms.
 *
 * A registry, the example BRP source and one gateway (quotas QUOTA_REQUESTS_PER_SECOND=BENCH_QUOTA,
 * QUOTA_BURST twice that, per afnemer), and a bare refuser: a node:http server that answers every call
 * with a 429 at once. B (Haarlem) sends an open-loop load at a modest fixed rate to the gateway (no
 * coordinated omission, `runFixedRate`), well inside its quota. Each round has three phases:
 *
 * 1. B alone;
 * 2. B while A (Utrecht) floods the gateway from a process of its own (closed loop, many connections,
 *    far over its quota, so nearly every answer is a 429);
 * 3. B while the same flood (the same process and connections, capped at the rate phase 2 reached)
 *    goes to the bare refuser instead: the floor. On two shared cores the flood's own load generator
 *    takes CPU from everything; the floor shows what B loses to that, so that what is left (flood −
 *    floor) is what the gateway's refusal path costs B.
 *
 * The medians over the rounds are compared with the target, each MET, NOT MET or INCONCLUSIVE (when
 * B alone varies between rounds by more than the target, the run cannot resolve it; `targets.ts`).
 * It also prints the CPU per call of A's flood (the gateway, the bare refuser, the load generator) and
 * what that means for the wait of a call of B that finds A's calls queued before it.
 *
 * Environment: BENCH_QUOTA_SECONDS (15 per phase), BENCH_ROUNDS (5), BENCH_QUOTA (each afnemer's quota,
 * 20/s: low, so that A is far over it even on a loaded machine), BENCH_QUOTA_RATE (B's rate, 15/s),
 * BENCH_QUOTA_CONCURRENCY (A's connections, 32), BENCH_WORKERS (the gateway's WORKERS, default 1),
 * BENCH_PORT_BASE (18320: registry, source, gateway, bare refuser on the next four ports).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';
import { healthy, processes, treeCpuMs } from './harness.ts';
import { type FixedRateResult, type PreparedRequest, percentile, runFixedRate, runLoad } from './load.ts';
import { isolationLines, median } from './targets.ts';

const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 18320);
const PORTS = { registry: PORT_BASE, source: PORT_BASE + 1, gateway: PORT_BASE + 2, refuser: PORT_BASE + 3 };
const QUERY = JSON.stringify({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['burgerservicenummer', 'naam.geslachtsnaam'],
});
/** A's signed calls per phase: used round and round (over the quota a replay is refused before its nonce is looked at). */
const FLOOD_POOL = 2000;

/** Signs `n` queries of `oin` under `activity` (each its own nonce): signing is the caller's cost, so before the clock starts. */
async function presign(data: string, oin: string, activity: string, n: number): Promise<PreparedRequest[]> {
  const key = JSON.parse(readFileSync(join(data, 'keys', `${oin}.jwk.json`), 'utf8')) as JWK;
  const signed: PreparedRequest[] = [];
  for (let i = 0; i < n; i++) {
    const r = await signRequest({
      url: `http://127.0.0.1:${PORTS.gateway}/personen`,
      body: QUERY,
      privateKey: key,
      processingActivity: activity,
      validitySeconds: 300,
    });
    signed.push({ path: '/personen', headers: r.headers, body: r.body });
  }
  return signed;
}

/** What the flood did in one phase. */
interface FloodResult {
  readonly completed: number;
  readonly refused: number;
  readonly seconds: number;
  /** CPU time of the flood's process (its load generator), in ms. */
  readonly cpuMs: number;
}

/**
 * The flood, in its own process (so that B's load generator is not the flood's event loop). On each
 * `go <port> <seconds> <rate>` (rate 0: as fast as it can) it signs a fresh pool (the signatures of
 * a long run would expire), says `started`, floods and answers with what it did as one JSON line.
 */
async function flood(data: string, concurrency: number) {
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, port, seconds, rate] = line.split(' ');
    if (command !== 'go') break;
    const signed = await presign(data, DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, FLOOD_POOL);
    process.stdout.write('started\n');
    const cpu = process.cpuUsage();
    const result = await runLoad(Number(port), (i) => signed[i % signed.length], {
      concurrency,
      seconds: Number(seconds),
      ...(Number(rate) > 0 ? { rate: Number(rate) } : {}),
    });
    const used = process.cpuUsage(cpu);
    const answer: FloodResult = {
      completed: result.completed,
      refused: result.errors,
      seconds: result.seconds,
      cpuMs: (used.user + used.system) / 1000,
    };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}

/** The floor's server: answers every call with a 429 at once (after reading the body, as any server must). */
function refuser(port: number) {
  const problem = JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429 });
  createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '1' }).end(problem);
    });
  }).listen(port, '127.0.0.1');
}

interface Phase {
  readonly b: FixedRateResult;
  readonly flood?: FloodResult;
  /** CPU the gateway (all its processes) and the bare refuser used in the phase, in ms. */
  readonly gatewayCpuMs: number;
  readonly refuserCpuMs: number;
}

async function main() {
  const seconds = Number(process.env.BENCH_QUOTA_SECONDS ?? 15);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const quota = Number(process.env.BENCH_QUOTA ?? 20);
  const rate = Number(process.env.BENCH_QUOTA_RATE ?? 15);
  const concurrency = Number(process.env.BENCH_QUOTA_CONCURRENCY ?? 32);
  const workers = process.env.BENCH_WORKERS ?? '1';
  const data = mkdtempSync(join(tmpdir(), 'poortwachter-quota-bench-'));
  const { start, children } = processes(data);
  try {
    start('packages/registry/src/server/main.ts', {
      PORT: String(PORTS.registry),
      GATEWAY_PUBLIC_URL: `http://127.0.0.1:${PORTS.gateway}`,
    });
    await healthy(PORTS.registry, 120);
    start('examples/brp-source/src/server.ts', { PORT: String(PORTS.source) });
    const gateway = start('packages/gateway/src/server/main.ts', {
      PORT: String(PORTS.gateway),
      REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
      SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
      QUOTA_REQUESTS_PER_SECOND: String(quota),
      QUOTA_BURST: String(2 * quota),
      WORKERS: workers,
      LOG_LEVEL: 'warn',
    });
    const bare = spawn(process.execPath, [...SOURCE_LOADER, fileURLToPath(import.meta.url), 'refuser'], {
      env: { ...process.env, BENCH_PORT_BASE: String(PORT_BASE) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(bare);
    // Two cores shared with the load generators (and, here, other work): give each start two minutes.
    await Promise.all([PORTS.source, PORTS.gateway, PORTS.refuser].map((port) => healthy(port, 120)));

    const flooder = spawn(process.execPath, [...SOURCE_LOADER, fileURLToPath(import.meta.url), 'flood', data], {
      env: { ...process.env, BENCH_QUOTA_CONCURRENCY: String(concurrency), BENCH_PORT_BASE: String(PORT_BASE) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(flooder);
    const lines = createInterface({ input: flooder.stdout })[Symbol.asyncIterator]();
    const nextLine = async () => String((await lines.next()).value ?? '');
    if ((await nextLine()) !== 'ready') throw new Error('the flood did not start');

    const perPhase = Math.ceil(rate * seconds) + 10;
    // B's calls are signed per round (a long run would outlive a signature's 300 s).
    const signB = (n: number) => presign(data, DEMO_OIN.haarlem, DEMO_PROCESSING_ACTIVITY.haarlemBijstand, n);
    let b = await signB(Math.ceil(rate * 2) + 10);
    let used = 0;
    // Warm-up: B's connections and the gateway's caches.
    await runFixedRate(PORTS.gateway, () => b[used++], { rate, seconds: 2 });

    const cpu = () => ({ gateway: treeCpuMs(gateway.pid).all, refuser: treeCpuMs(bare.pid).all });
    const phase = async (label: string, target?: { port: number; rate: number }): Promise<Phase> => {
      if (target) {
        flooder.stdin.write(`go ${target.port} ${seconds + 1} ${target.rate}\n`);
        if ((await nextLine()) !== 'started') throw new Error('the flood did not start');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const before = cpu();
      const result = await runFixedRate(PORTS.gateway, () => b[used++], { rate, seconds });
      const after = cpu();
      const floodResult = target ? (JSON.parse(await nextLine()) as FloodResult) : undefined;
      report(label, result, floodResult);
      return {
        b: result,
        ...(floodResult ? { flood: floodResult } : {}),
        gatewayCpuMs: after.gateway - before.gateway,
        refuserCpuMs: after.refuser - before.refuser,
      };
    };

    const phases = { alone: [] as Phase[], flooded: [] as Phase[], floor: [] as Phase[] };
    for (let round = 1; round <= rounds; round++) {
      b = await signB(3 * perPhase);
      used = 0;
      phases.alone.push(await phase(`round ${round}: B alone`));
      const flooded = await phase(`round ${round}: B while A floods the gateway`, { port: PORTS.gateway, rate: 0 });
      phases.flooded.push(flooded);
      const floodRate = (flooded.flood?.completed ?? 0) / (flooded.flood?.seconds ?? 1);
      phases.floor.push(
        await phase(`round ${round}: B while A floods a bare refuser`, {
          port: PORTS.refuser,
          rate: Math.max(1, floodRate),
        }),
      );
    }
    flooder.stdin.write('stop\n');

    const p99s = (list: Phase[]) => list.map((p) => p99(p.b.latenciesMs));
    const { lines: verdictLines } = isolationLines({
      alone: p99s(phases.alone),
      flooded: p99s(phases.flooded),
      floor: p99s(phases.floor),
    });
    console.log(
      `\nQuota isolation (quota ${quota}/s per afnemer; B at ${rate}/s open loop to the gateway; A closed loop, ${concurrency} connections; WORKERS=${workers}; ${seconds} s per phase, ${rounds} rounds)`,
    );
    for (const line of verdictLines) console.log(`  ${line}`);
    console.log(`  B p99 per round (alone / flood / floor): ${roundsTable(phases)}`);

    // CPU per call of A's flood: the gateway's above what B alone costs it (over all of A's calls: its
    // few served ones cost more, so this bounds a refusal's from above; pricing them at B's CPU per call
    // alone went wrong, that includes the gateway's background work), the bare refuser's, the load generator's.
    const perCall = (list: Phase[], of: (p: Phase, i: number) => number) =>
      median(list.map((p, i) => (1000 * of(p, i)) / Math.max(1, p.flood?.completed ?? 0)));
    const gatewayUs = perCall(phases.flooded, (p, i) => p.gatewayCpuMs - (phases.alone[i]?.gatewayCpuMs ?? 0));
    const refuserUs = perCall(phases.floor, (p) => p.refuserCpuMs);
    const floodGenUs = perCall(phases.flooded, (p) => p.flood?.cpuMs ?? 0);
    const floorGenUs = perCall(phases.floor, (p) => p.flood?.cpuMs ?? 0);
    const rateOf = (list: Phase[]) => median(list.map((p) => (p.flood?.completed ?? 0) / (p.flood?.seconds ?? 1)));
    const refusedShare = median(
      phases.flooded.map((p) => (100 * (p.flood?.refused ?? 0)) / Math.max(1, p.flood?.completed ?? 0)),
    );
    console.log(
      `  A's flood at the gateway: ${rateOf(phases.flooded).toFixed(0)} calls/s, ${refusedShare.toFixed(1)} % refused; gateway CPU ${gatewayUs.toFixed(0)} µs per call (above B alone; at most that per refusal), load generator ${floodGenUs.toFixed(0)} µs per call`,
    );
    console.log(
      `  A's flood at the bare refuser: ${rateOf(phases.floor).toFixed(0)} calls/s; refuser CPU ${refuserUs.toFixed(0)} µs per call, load generator ${floorGenUs.toFixed(0)} µs per call`,
    );
    // A call of B that arrives behind one call of each of A's connections waits for all of them.
    console.log(
      `  a call of B behind one call of each of A's ${concurrency} connections waits ${concurrency} × ${gatewayUs.toFixed(0)} µs = ${((concurrency * gatewayUs) / 1000).toFixed(1)} ms at the gateway, ${concurrency} × ${refuserUs.toFixed(0)} µs = ${((concurrency * refuserUs) / 1000).toFixed(1)} ms at a bare refuser (one event loop; WORKERS spreads the queue)`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(data, { recursive: true, force: true });
  }
}

function p99(latencies: number[]) {
  return percentile(
    [...latencies].sort((x, y) => x - y),
    99,
  );
}

function roundsTable(phases: Record<'alone' | 'flooded' | 'floor', Phase[]>) {
  return phases.alone
    .map((alone, i) =>
      [alone, phases.flooded[i], phases.floor[i]].map((p) => (p ? p99(p.b.latenciesMs).toFixed(1) : '–')).join(' / '),
    )
    .join(', ');
}

function report(label: string, result: FixedRateResult, flood: FloodResult | undefined) {
  const sorted = [...result.latenciesMs].sort((x, y) => x - y);
  const a = flood
    ? `; A ${(flood.completed / flood.seconds).toFixed(0)} calls/s, ${((100 * flood.refused) / Math.max(1, flood.completed)).toFixed(1)} % refused`
    : '';
  process.stderr.write(
    `${label}: ${result.ok}/${result.completed} ok, ${result.dropped} dropped, p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms${a}\n`,
  );
}

if (process.argv[2] === 'flood')
  await flood(process.argv[3] as string, Number(process.env.BENCH_QUOTA_CONCURRENCY ?? 32));
else if (process.argv[2] === 'refuser') refuser(PORTS.refuser);
else await main();
