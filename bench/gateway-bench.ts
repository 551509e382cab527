/**
 * `pnpm bench`: throughput and latency of, in one run on this machine,
 *   1. the example BRP source directly,
 *   2. a bare hono proxy in front of it (no checks, no log: the floor),
 *   3. the full gateway (signature, autorisatie, minimisation, durable group-committed log on SQLite),
 * with load from pre-signed requests (unique nonces), and a check that every released response has
 * its access record. Prints a table; it is a benchmark, not a test.
 *
 * Environment: BENCH_SECONDS (15, per target, split over the rounds), BENCH_ROUNDS (3), BENCH_CONCURRENCY (32),
 * BENCH_PROFILE (a folder: CPU profile of the gateway).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { signRequest } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { type LoadResult, type PreparedRequest, percentile, runLoad } from './load.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const data = mkdtempSync(join(tmpdir(), 'poortwachter-bench-'));
const PORTS = { registry: 18300, source: 18301, gateway: 18302, proxy: 18303 };
const children: ChildProcess[] = [];

function start(entry: string, env: Record<string, string>, flags: string[] = []): ChildProcess {
  // `node --import tsx` rather than the tsx CLI, so that the pid is the server itself (for its RSS).
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, DATA_DIR: data, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function healthy(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing healthy on port ${port}`);
}

/** Peak resident set size (VmHWM) of a process, in MiB. */
const peakRss = (pid: number | undefined) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
};

const FIELDS = ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.postcode'];
const QUERY = JSON.stringify({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: FIELDS,
});
const plain: PreparedRequest = { path: '/personen', headers: { 'content-type': 'application/json' }, body: QUERY };

for (const port of Object.values(PORTS)) {
  const taken = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => true,
    () => false,
  );
  if (taken) {
    console.error(`port ${port} is in use; the benchmark needs ports ${Object.values(PORTS).join(', ')} free`);
    process.exit(2);
  }
}

try {
  start('packages/registry/src/server/main.ts', {
    PORT: String(PORTS.registry),
    GATEWAY_PUBLIC_URL: `http://127.0.0.1:${PORTS.gateway}`,
  });
  await healthy(PORTS.registry);
  const source = start('examples/brp-source/src/server.ts', { PORT: String(PORTS.source) });
  const proxy = start('bench/bare-proxy.ts', {
    PORT: String(PORTS.proxy),
    SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
  });
  const gateway = start(
    'packages/gateway/src/server/main.ts',
    {
      PORT: String(PORTS.gateway),
      REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
      SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
    },
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );
  await Promise.all([healthy(PORTS.source), healthy(PORTS.proxy), healthy(PORTS.gateway)]);

  // Pre-sign more requests than the gateway can take in the run: signing is the caller's cost.
  const key = JSON.parse(readFileSync(join(data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as JWK;
  const count = Math.max(5000, Math.ceil(seconds * 2500) + 5000);
  process.stderr.write(`pre-signing ${count} requests…\n`);
  const signed: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const r = await signRequest({
      url: `http://127.0.0.1:${PORTS.gateway}/personen`,
      body: QUERY,
      privateKey: key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      validitySeconds: 300,
    });
    signed.push({ path: '/personen', headers: r.headers, body: r.body });
  }

  const warm = (port: number, make: (i: number) => PreparedRequest | undefined) =>
    runLoad(port, make, { concurrency: 4, seconds: 1 });
  // This machine is shared and noisy (two consecutive runs can differ by a third), so the targets
  // are measured in interleaved rounds and the medians reported.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const perRound = seconds / rounds;
  const results: Record<'source' | 'proxy' | 'gateway', LoadResult[]> = { source: [], proxy: [], gateway: [] };
  let used = 0;
  const nextSigned = () => signed[used++];
  await warm(PORTS.source, () => plain);
  await warm(PORTS.proxy, () => plain);
  await warm(PORTS.gateway, nextSigned);
  process.stderr.write(
    `running ${rounds} rounds of ${perRound.toFixed(1)} s per target, ${concurrency} connections…\n`,
  );
  for (let round = 0; round < rounds; round++) {
    results.source.push(await runLoad(PORTS.source, () => plain, { concurrency, seconds: perRound }));
    results.proxy.push(await runLoad(PORTS.proxy, () => plain, { concurrency, seconds: perRound }));
    results.gateway.push(await runLoad(PORTS.gateway, nextSigned, { concurrency, seconds: perRound }));
  }
  const rss = { source: peakRss(source.pid), proxy: peakRss(proxy.pid), gateway: peakRss(gateway.pid) };
  const gatewayResult: LoadResult = {
    completed: results.gateway.reduce((n, r) => n + r.completed, 0),
    ok: results.gateway.reduce((n, r) => n + r.ok, 0),
    errors: results.gateway.reduce((n, r) => n + r.errors, 0),
    seconds: results.gateway.reduce((n, r) => n + r.seconds, 0),
    latenciesMs: results.gateway.flatMap((r) => r.latenciesMs),
    okTransactions: results.gateway.flatMap((r) => r.okTransactions),
  };

  const readyRes = await fetch(`http://127.0.0.1:${PORTS.gateway}/readyz`);
  const ready = (await readyRes.json()) as {
    log: { averageBatch: number; averageCommitMs: number; batches: number };
    nonces: { averageBatch: number; averageCommitMs: number; batches: number };
  };
  if (!('log' in ready)) console.error('readyz:', readyRes.status, JSON.stringify(ready));
  // Every released response must have its access record (one subject per response here).
  await new Promise((r) => setTimeout(r, 500));
  const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(data, 'gateway.db')}`);
  const logged = new Set<string>();
  for (let i = 0; i < gatewayResult.okTransactions.length; i += 500) {
    const chunk = gatewayResult.okTransactions.slice(i, i + 500);
    const found = await db
      .selectFrom('access_log')
      .select('transaction_id')
      .where('transaction_id', 'in', chunk)
      .execute();
    for (const row of found) logged.add(row.transaction_id);
  }
  await close();
  const missing = gatewayResult.okTransactions.filter((t) => !logged.has(t)).length;

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const rate = (r: LoadResult) => r.completed / r.seconds;
  const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(10);
  console.log(
    `\npoortwachter gateway benchmark: ${rounds} interleaved rounds of ${perRound.toFixed(1)} s per target, ${concurrency} connections, node ${process.version}, ${
      (await import('node:os')).cpus().length
    } cores; load generator on the same machine\n`,
  );
  const roundsWidth = Math.max(22, rounds * 7 + 2);
  console.log(
    `${'target'.padEnd(32)}${'req/s'.padStart(10)}${'rounds'.padStart(roundsWidth)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'peak RSS MiB'.padStart(14)}${'errors'.padStart(8)}`,
  );
  const names = {
    source: 'source directly',
    proxy: 'bare hono proxy (floor)',
    gateway: 'gateway, durable log (SQLite)',
  };
  for (const key of ['source', 'proxy', 'gateway'] as const) {
    const latencies = results[key].flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const errors = results[key].reduce((n, r) => n + r.errors, 0);
    console.log(
      `${names[key].padEnd(32)}${fmt(median(results[key].map(rate)), 0)}${results[key]
        .map((r) => rate(r).toFixed(0))
        .join('/')
        .padStart(
          roundsWidth,
        )}${fmt(percentile(latencies, 50), 2)}${fmt(percentile(latencies, 99), 2)}${fmt(rss[key], 0).padStart(14)}${String(errors).padStart(8)}`,
    );
  }
  const ratios = results.gateway.map((g, i) => rate(g) / rate(results.proxy[i] as LoadResult));
  console.log(
    `\nratio gateway / bare proxy: ${median(ratios).toFixed(2)} (median of rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
  console.log(
    `released responses: ${gatewayResult.ok}; with an access record: ${gatewayResult.ok - missing}; missing: ${missing}`,
  );
  console.log(
    `group commit: log ${ready.log.batches} batches of ${ready.log.averageBatch.toFixed(1)} on average (${ready.log.averageCommitMs.toFixed(2)} ms each), ` +
      `nonces ${ready.nonces.batches} batches of ${ready.nonces.averageBatch.toFixed(1)} (${ready.nonces.averageCommitMs.toFixed(2)} ms each)`,
  );
  if (missing > 0) process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(data, { recursive: true, force: true });
}
