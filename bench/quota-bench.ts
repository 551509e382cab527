/**
 * `pnpm bench:quota` (part of `pnpm bench`): does one afnemer flooding the inway move another
 * afnemer's latency? Issue 27's target: B's p99 moves by at most 2 ms.
 *
 * A registry, the example BRP source and one gateway (quotas QUOTA_REQUESTS_PER_SECOND=BENCH_QUOTA,
 * QUOTA_BURST twice that, per afnemer). B (Haarlem) sends an open-loop load at a modest fixed rate (no
 * coordinated omission, `runFixedRate`), well inside its quota; its p99 is measured alone, then while
 * A (Utrecht) floods from a process of its own (closed loop, many connections, far over its quota,
 * so nearly every answer is a 429). Alone and under the flood alternate for BENCH_ROUNDS rounds; the
 * medians are reported with the difference, the target and its status, and how many of A's requests
 * were refused. The load generators share the machine with the servers: read the figures with that.
 *
 * Environment: BENCH_QUOTA_SECONDS (10 per phase), BENCH_ROUNDS (2), BENCH_QUOTA (each afnemer's quota,
 * 20/s: low, so that A is far over it even on a loaded machine), BENCH_QUOTA_RATE (B's rate, 10/s),
 * BENCH_QUOTA_CONCURRENCY (A's connections, 32).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';
import { healthy, processes } from './harness.ts';
import { type PreparedRequest, percentile, runFixedRate, runLoad } from './load.ts';

const PORTS = { registry: 18320, source: 18321, gateway: 18322 };
const QUERY = JSON.stringify({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['burgerservicenummer', 'naam.geslachtsnaam'],
});
const TARGET_MS = 2;

/** Pre-signs `n` queries of `oin` under `activity` (each its own nonce): signing is the caller's cost. */
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

/**
 * The flood, in its own process (so that B's load generator is not the flood's event loop): pre-signs,
 * says `ready`, and on each `go <seconds>` floods and answers with its statuses as one JSON line.
 */
async function flood(data: string, concurrency: number) {
  const signed = await presign(data, DEMO_OIN.utrecht, DEMO_PROCESSING_ACTIVITY.utrechtWmo, 40_000);
  process.stdout.write('ready\n');
  let used = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const seconds = Number(line.split(' ')[1]);
    if (!(seconds > 0)) break;
    let refused = 0;
    // Past the pre-signed ones it sends them again: over the quota a replay is refused (429) before its nonce is looked at.
    const result = await runLoad(PORTS.gateway, () => signed[used++ % signed.length], { concurrency, seconds });
    refused = result.errors;
    process.stdout.write(
      `${JSON.stringify({ completed: result.completed, ok: result.ok, refused, seconds: result.seconds })}\n`,
    );
  }
}

async function main() {
  const seconds = Number(process.env.BENCH_QUOTA_SECONDS ?? 10);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const quota = Number(process.env.BENCH_QUOTA ?? 20);
  const rate = Number(process.env.BENCH_QUOTA_RATE ?? 10);
  const concurrency = Number(process.env.BENCH_QUOTA_CONCURRENCY ?? 32);
  const data = mkdtempSync(join(tmpdir(), 'poortwachter-quota-bench-'));
  const { start, children } = processes(data);
  try {
    start('packages/registry/src/server/main.ts', {
      PORT: String(PORTS.registry),
      GATEWAY_PUBLIC_URL: `http://127.0.0.1:${PORTS.gateway}`,
    });
    await healthy(PORTS.registry, 120);
    start('examples/brp-source/src/server.ts', { PORT: String(PORTS.source) });
    start('packages/gateway/src/server/main.ts', {
      PORT: String(PORTS.gateway),
      REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
      SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
      QUOTA_REQUESTS_PER_SECOND: String(quota),
      QUOTA_BURST: String(2 * quota),
      LOG_LEVEL: 'warn',
    });
    // Two cores shared with the load generators (and, here, other work): give each start two minutes.
    await Promise.all([PORTS.source, PORTS.gateway].map((port) => healthy(port, 120)));

    const flooder = spawn(process.execPath, [...SOURCE_LOADER, fileURLToPath(import.meta.url), 'flood', data], {
      env: { ...process.env, BENCH_QUOTA_CONCURRENCY: String(concurrency) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(flooder);
    const lines = createInterface({ input: flooder.stdout })[Symbol.asyncIterator]();
    const nextLine = async () => String((await lines.next()).value ?? '');
    const perPhase = Math.ceil(rate * seconds) + 10;
    process.stderr.write(`pre-signing ${perPhase * rounds * 2 + 200} requests of B and 40000 of A…\n`);
    const b = await presign(
      data,
      DEMO_OIN.haarlem,
      DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
      perPhase * rounds * 2 + 200,
    );
    if ((await nextLine()) !== 'ready') throw new Error('the flood did not start');
    let used = 0;
    // Warm-up: B's connections and the gateway's caches.
    await runFixedRate(PORTS.gateway, () => b[used++], { rate, seconds: 2 });

    const alone: number[] = [];
    const flooded: number[] = [];
    const floods: { completed: number; refused: number; seconds: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      const quiet = await runFixedRate(PORTS.gateway, () => b[used++], { rate, seconds });
      alone.push(p99(quiet.latenciesMs));
      report(`round ${round}: B alone`, quiet);
      flooder.stdin.write(`go ${seconds + 1}\n`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const loud = await runFixedRate(PORTS.gateway, () => b[used++], { rate, seconds });
      flooded.push(p99(loud.latenciesMs));
      report(`round ${round}: B while A floods`, loud);
      floods.push(JSON.parse(await nextLine()));
    }
    flooder.stdin.write('stop\n');

    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const quietP99 = median(alone);
    const loudP99 = median(flooded);
    const difference = loudP99 - quietP99;
    const flood = floods.at(-1);
    console.log(
      `\nQuota isolation (quota ${quota}/s per afnemer; B at ${rate}/s open loop; A closed loop, ${concurrency} connections; ${seconds} s per phase, ${rounds} rounds, medians)`,
    );
    console.log(`  B p99 alone:           ${quietP99.toFixed(2)} ms`);
    console.log(`  B p99 while A floods:  ${loudP99.toFixed(2)} ms`);
    console.log(
      `  difference:            ${difference >= 0 ? '+' : ''}${difference.toFixed(2)} ms (target ≤ ${TARGET_MS} ms: ${difference <= TARGET_MS ? 'met' : 'NOT met'})`,
    );
    if (flood) {
      console.log(
        `  A's flood:             ${(flood.completed / flood.seconds).toFixed(0)} req/s, ${((100 * flood.refused) / Math.max(1, flood.completed)).toFixed(1)} % refused (429)`,
      );
    }
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

function report(label: string, result: { completed: number; ok: number; dropped: number; latenciesMs: number[] }) {
  const sorted = [...result.latenciesMs].sort((x, y) => x - y);
  process.stderr.write(
    `${label}: ${result.ok}/${result.completed} ok, ${result.dropped} dropped, p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms\n`,
  );
}

if (process.argv[2] === 'flood')
  await flood(process.argv[3] as string, Number(process.env.BENCH_QUOTA_CONCURRENCY ?? 32));
else await main();
