/**
 * `pnpm bench`: throughput and latency of, in one run on this machine,
 *   1. the example BRP source directly,
 *   2. a bare hono proxy in front of it (no checks, no log: the floor), forwarding with fetch,
 *   3. the same proxy forwarding with the gateway's own keep-alive HTTP client (so that it differs
 *      from the gateway only by the checks and the log),
 *   4. the full gateway (signature, autorisatie, minimisation, durable group-committed log on SQLite),
 *   5. an application through Gemeente Utrecht's outway in front of that gateway (app → outway →
 *      inway → source: API key, signing, answer verification and the outway's own durable log),
 * with load from pre-signed requests (unique nonces), and a check that every released response has
 * its access record. Prints a table; it is a benchmark, not a test.
 *
 * For each target it also prints the CPU time per request of the server (and of its main thread, the
 * event loop, which bounds a Node server's throughput), of the source behind it and of the load generator.
 *
 * Then latency under an honest load: an open-loop load at a fixed rate (no coordinated omission; see
 * `runFixedRate`) at 25 %, 50 % and 75 % of the strict floor's capacity (the bare proxy with the
 * gateway's client, as just measured), on that floor and on the gateway, and the gateway's added p50/p99.
 *
 * Before the load, while the servers are idle, it measures in-process what the gateway cannot avoid
 * on top of its floor (`unavoidable.ts`: one Ed25519 verification and one signature by the primitive,
 * one durable append by the real log writer) and prints the physical limit from it: the strict floor's
 * CPU per request (server + source + load) over that plus the unavoidable work, the ratio a gateway
 * that did nothing else would reach. Then each target of issue 31 with its status (`targets.ts`).
 *
 * Environment: BENCH_SECONDS (15, per target, split over the rounds), BENCH_ROUNDS (3), BENCH_CONCURRENCY (32),
 * BENCH_LATENCY_SECONDS (5 per rate and target; 0 skips the fixed-rate part), BENCH_LATENCY_FRACTIONS (of the
 * floor's capacity, 0.25,0.5,0.75), BENCH_LATENCY_RATE (req/s instead of half the gateway's capacity),
 * BENCH_PROFILE (a folder: CPU profile of BENCH_PROFILE_TARGET, `gateway` (default) or `outway`),
 * BENCH_NODE_FLAGS (extra node flags for the proxies, the gateway and the outway), BENCH_APPEND_BATCH (records
 * per group commit when measuring the append, 8), BENCH_PORT_BASE (18300), BENCH_ONLY (targets, e.g.
 * `proxyNode,gateway,outway`: the limit needs `proxyNode` and `gateway`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import {
  cpuMs,
  healthy,
  peakRss,
  processes,
  processTree,
  threadCpuMs,
  treeCpuMs,
  unloggedTransactions,
} from './harness.ts';
import {
  type FixedRateResult,
  type LoadResult,
  type PreparedRequest,
  percentile,
  runFixedRate,
  runLoad,
} from './load.ts';
import { addedLatencyLine, gatewayRatioLine, limitLine, limitOf, outwayLine } from './targets.ts';
import { unavoidableCosts } from './unavoidable.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const data = mkdtempSync(join(tmpdir(), 'poortwachter-bench-'));
/** Ports from BENCH_PORT_BASE (18300), so that two benchmarks can run side by side. */
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 18300);
const PORTS = {
  registry: PORT_BASE + 0,
  source: PORT_BASE + 1,
  gateway: PORT_BASE + 2,
  proxy: PORT_BASE + 3,
  proxyNode: PORT_BASE + 4,
  outway: PORT_BASE + 5,
  gatewayWorkers: PORT_BASE + 6,
};
/** Workers of the second gateway (default 2, this machine's cores): all cores against one process. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const { start, children } = processes(data);

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
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // BENCH_PROFILE=<dir>: a CPU profile (written when the process stops) of the gateway or the outway.
  const profileTarget = process.env.BENCH_PROFILE_TARGET ?? 'gateway';
  if (!['gateway', 'outway'].includes(profileTarget)) {
    console.error(`BENCH_PROFILE_TARGET is gateway or outway, not ${profileTarget}`);
    process.exit(2);
  }
  const profiled = (target: 'gateway' | 'outway') =>
    process.env.BENCH_PROFILE && profileTarget === target
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
  const proxyEnv = (port: number, client: string) => ({
    PORT: String(port),
    SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
    PROXY_CLIENT: client,
  });
  const proxy = start('bench/bare-proxy.ts', proxyEnv(PORTS.proxy, 'fetch'), nodeFlags);
  const proxyNode = start('bench/bare-proxy.ts', proxyEnv(PORTS.proxyNode, 'node'), nodeFlags);
  const gateway = start(
    'packages/gateway/src/server/main.ts',
    {
      PORT: String(PORTS.gateway),
      REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
      SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
    },
    [...nodeFlags, ...profiled('gateway')],
  );
  await healthy(PORTS.gateway);
  // The same gateway with WORKERS processes sharing its port (one Merkle log shard each, one database).
  const gatewayWorkers = start(
    'packages/gateway/src/server/main.ts',
    {
      PORT: String(PORTS.gatewayWorkers),
      REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
      SOURCE_URL: `http://127.0.0.1:${PORTS.source}`,
      WORKERS: String(WORKERS),
      INSTANCE_ID: 'bench-workers',
    },
    nodeFlags,
  );
  await healthy(PORTS.gatewayWorkers);
  const outway = start(
    'packages/gateway/src/server/outway-main.ts',
    {
      PORT: String(PORTS.outway),
      REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
      ORGANISATION_OIN: DEMO_OIN.utrecht,
      DEMO_APPLICATION_KEY_FILE: join(data, 'outway-api-key'),
    },
    [...nodeFlags, ...profiled('outway')],
  );
  await Promise.all([PORTS.source, PORTS.proxy, PORTS.proxyNode, PORTS.outway].map((port) => healthy(port)));
  const apiKey = readFileSync(join(data, 'outway-api-key'), 'utf8').trim();
  const viaOutway: PreparedRequest = {
    path: '/brp-personen/personen',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: QUERY,
  };

  // Pre-sign more requests than the gateway can take in the run: signing is the caller's cost.
  const key = JSON.parse(readFileSync(join(data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as JWK;
  const count = Math.max(5000, Math.ceil(seconds * 2500) + 5000);
  process.stderr.write(`pre-signing ${count} requests…\n`);
  const signed: PreparedRequest[] = [];
  /** Signs `n` more requests to the gateway, each with its own nonce, for the load to use once each. */
  const presign = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = await signRequest({
        url: `http://127.0.0.1:${PORTS.gateway}/personen`,
        body: QUERY,
        privateKey: key,
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
        validitySeconds: 300,
      });
      signed.push({ path: '/personen', headers: r.headers, body: r.body });
    }
  };
  await presign(count);
  // What the gateway cannot avoid, measured here while every server is idle (the limit's terms).
  const appendBatch = Number(process.env.BENCH_APPEND_BATCH ?? 8);
  process.stderr.write(`measuring one verification, one signature and one append (batches of ${appendBatch})…\n`);
  const unavoidable = await unavoidableCosts(key, { batch: appendBatch });

  let used = 0;
  const nextSigned = () => signed[used++];
  const targets = {
    source: { name: 'source directly', process: source, port: PORTS.source, request: () => plain },
    proxy: { name: 'bare hono proxy, fetch (floor)', process: proxy, port: PORTS.proxy, request: () => plain },
    proxyNode: {
      name: "bare hono proxy, gateway's client",
      process: proxyNode,
      port: PORTS.proxyNode,
      request: () => plain,
    },
    gateway: { name: 'gateway, durable log (SQLite)', process: gateway, port: PORTS.gateway, request: nextSigned },
    gatewayWorkers: {
      name: `gateway, ${WORKERS} workers (SQLite)`,
      process: gatewayWorkers,
      port: PORTS.gatewayWorkers,
      request: nextSigned,
    },
    outway: {
      name: 'app → outway → gateway (both logs)',
      process: outway,
      port: PORTS.outway,
      request: () => viaOutway,
    },
  };
  type Target = keyof typeof targets;
  // BENCH_ONLY=gateway,proxyNode measures only those targets (while working on one of them).
  const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
  const keys = (Object.keys(targets) as Target[]).filter((k) => only.length === 0 || only.includes(k));
  for (const key of keys) await runLoad(targets[key].port, targets[key].request, { concurrency: 4, seconds: 1 });

  // This machine is shared and noisy (two consecutive runs can differ by a third), so the targets
  // are measured in interleaved rounds and the medians reported.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const perRound = seconds / rounds;
  process.stderr.write(
    `running ${rounds} rounds of ${perRound.toFixed(1)} s per target, ${concurrency} connections…\n`,
  );
  const results = Object.fromEntries(Object.keys(targets).map((k) => [k, [] as LoadResult[]])) as Record<
    Target,
    LoadResult[]
  >;
  // CPU time of the server under test (and of its main thread, the event loop, whose time per request
  // bounds its throughput), of the source behind it and of the load generator.
  const cpu = Object.fromEntries(
    Object.keys(targets).map((k) => [k, { server: 0, main: 0, source: 0, load: 0 }]),
  ) as Record<Target, { server: number; main: number; source: number; load: number }>;
  const gatewayThreads: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) {
      const { process: server, port, request } = targets[key];
      const threadsBefore = key === 'gateway' ? threadCpuMs(server.pid) : {};
      const before = {
        server: treeCpuMs(server.pid).all,
        main: treeCpuMs(server.pid).main,
        source: cpuMs(source.pid),
        load: process.cpuUsage(),
      };
      results[key].push(await runLoad(port, request, { concurrency, seconds: perRound }));
      const load = process.cpuUsage(before.load);
      cpu[key].server += treeCpuMs(server.pid).all - before.server;
      cpu[key].main += treeCpuMs(server.pid).main - before.main;
      cpu[key].source += key === 'source' ? 0 : cpuMs(source.pid) - before.source;
      cpu[key].load += (load.user + load.system) / 1000;
      if (key === 'gateway') {
        for (const [kind, ms] of Object.entries(threadCpuMs(server.pid)))
          gatewayThreads[kind] = (gatewayThreads[kind] ?? 0) + ms - (threadsBefore[kind] ?? 0);
      }
    }
  }
  const rss = Object.fromEntries(
    keys.map((k) => [k, processTree(targets[k].process.pid).reduce((n, p) => n + peakRss(p), 0)]),
  ) as Record<Target, number>;
  const merged = (list: LoadResult[]): LoadResult => ({
    completed: list.reduce((n, r) => n + r.completed, 0),
    ok: list.reduce((n, r) => n + r.ok, 0),
    errors: list.reduce((n, r) => n + r.errors, 0),
    seconds: list.reduce((n, r) => n + r.seconds, 0),
    latenciesMs: list.flatMap((r) => r.latenciesMs),
    okTransactions: list.flatMap((r) => r.okTransactions),
  });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const rate = (r: LoadResult) => r.completed / r.seconds;
  // Latency at a fixed rate, as fractions of the strict floor's capacity just measured.
  const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);
  const floorCapacity = median(results.proxyNode.map(rate));
  const fixed: { fraction: number; label: string; rate: number; floor: FixedRateResult; gateway: FixedRateResult }[] =
    [];
  if (latencySeconds > 0) {
    // BENCH_LATENCY_FRACTIONS of the floor's capacity (default 0.25,0.5,0.75; empty: none).
    const fractions = (process.env.BENCH_LATENCY_FRACTIONS ?? '0.25,0.5,0.75').split(',').filter(Boolean).map(Number);
    // And, to see what the gateway adds where it is not saturated: half of its own capacity, or
    // BENCH_LATENCY_RATE req/s (to compare two builds at the same load).
    const gatewayCapacity = median(results.gateway.map(rate));
    const fixedRate = Number(process.env.BENCH_LATENCY_RATE ?? 0);
    const levels = [
      ...fractions.map((fraction) => ({ fraction, at: Math.round(floorCapacity * fraction), label: 'of the floor' })),
      fixedRate > 0
        ? { fraction: fixedRate / gatewayCapacity, at: fixedRate, label: "of the gateway's own capacity" }
        : { fraction: 0.5, at: Math.round(gatewayCapacity * 0.5), label: "of the gateway's own capacity" },
    ];
    const needed = Math.ceil(levels.reduce((n, l) => n + l.at, 0) * latencySeconds) + 1000;
    process.stderr.write(`fixed-rate load: pre-signing ${needed} more requests…\n`);
    await presign(needed);
    for (const { fraction, at, label } of levels) {
      process.stderr.write(
        `fixed rate ${at} req/s (${Math.round(fraction * 100)} % ${label}) for ${latencySeconds} s per target…\n`,
      );
      const floor = await runFixedRate(PORTS.proxyNode, () => plain, { rate: at, seconds: latencySeconds });
      const onGateway = await runFixedRate(PORTS.gateway, nextSigned, { rate: at, seconds: latencySeconds });
      fixed.push({ fraction, label, rate: at, floor, gateway: onGateway });
      // Let a backlog drain before the next rate.
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  const gatewayResult = merged(results.gateway);
  const workersResult = merged(results.gatewayWorkers);
  const outwayResult = merged(results.outway);

  const readyRes = await fetch(`http://127.0.0.1:${PORTS.gateway}/readyz`);
  const ready = (await readyRes.json()) as {
    log?: { averageBatch: number; averageCommitMs: number; batches: number };
    nonces?: { averageBatch: number; averageCommitMs: number; batches: number };
  };
  if (!('log' in ready)) console.error('readyz:', readyRes.status, JSON.stringify(ready));
  // Every released response must have its access record (one subject per response here).
  await new Promise((r) => setTimeout(r, 500));
  const unlogged = (file: string, transactions: string[]) => unloggedTransactions(join(data, file), transactions);
  const missing = await unlogged('gateway.db', [
    ...gatewayResult.okTransactions,
    ...workersResult.okTransactions,
    ...outwayResult.okTransactions,
    ...fixed.flatMap((f) => f.gateway.okTransactions),
  ]);
  const missingAtOutway = await unlogged('outway.db', outwayResult.okTransactions);

  const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);
  console.log(
    `\npoortwachter gateway benchmark: ${rounds} interleaved rounds of ${perRound.toFixed(1)} s per target, ${concurrency} connections, node ${process.version}, ${
      (await import('node:os')).cpus().length
    } cores; load generator on the same machine\n`,
  );
  const roundsWidth = Math.max(22, rounds * 7 + 2);
  console.log(
    `${'target'.padEnd(36)}${'req/s'.padStart(8)}${'rounds'.padStart(roundsWidth)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'RSS MiB'.padStart(9)}${'errors'.padStart(8)}${'CPU µs/req: server (main) + source + load'.padStart(44)}`,
  );
  for (const key of keys) {
    const latencies = results[key].flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const errors = results[key].reduce((n, r) => n + r.errors, 0);
    const done = results[key].reduce((n, r) => n + r.completed, 0);
    const perRequest = (ms: number) => ((ms * 1000) / done).toFixed(0);
    const c = cpu[key];
    console.log(
      `${targets[key].name.padEnd(36)}${median(results[key].map(rate)).toFixed(0).padStart(8)}${results[key]
        .map((r) => rate(r).toFixed(0))
        .join('/')
        .padStart(roundsWidth)}${fmt(percentile(latencies, 50), 2)}${fmt(percentile(latencies, 99), 2)}${fmt(
        rss[key],
        0,
      )}${String(errors).padStart(8)}${`${perRequest(c.server)} (${perRequest(c.main)}) + ${perRequest(c.source)} + ${perRequest(c.load)}`.padStart(44)}`,
    );
  }
  const gatewayDone = results.gateway.reduce((n, r) => n + r.completed, 0);
  if (gatewayDone > 0)
    console.log(
      `gateway CPU µs/req by thread: ${Object.entries(gatewayThreads)
        .sort((a, b) => b[1] - a[1])
        .filter(([, ms]) => (ms * 1000) / gatewayDone >= 5)
        .map(
          ([thread, ms]) =>
            `${thread === 'main' ? 'event loop' : `thread ${thread}`} ${((ms * 1000) / gatewayDone).toFixed(0)}`,
        )
        .join(', ')}`,
    );
  const ratio = (floor: Target) => {
    const ratios = results.gateway.map((g, i) => rate(g) / rate(results[floor][i] as LoadResult));
    return `${median(ratios).toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`;
  };
  if (keys.includes('proxy'))
    console.log(`\nratio gateway / bare hono proxy with fetch (the floor): ${ratio('proxy')}`);
  if (keys.includes('proxyNode'))
    console.log(`ratio gateway / bare hono proxy with the gateway's HTTP client: ${ratio('proxyNode')}`);
  if (keys.includes('gatewayWorkers') && keys.includes('proxyNode')) {
    const ratios = results.gatewayWorkers.map((g, i) => rate(g) / rate(results.proxyNode[i] as LoadResult));
    const scale = results.gatewayWorkers.map((g, i) => rate(g) / rate(results.gateway[i] as LoadResult));
    console.log(
      `ratio gateway with ${WORKERS} workers / the same floor: ${median(ratios).toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}); ${WORKERS} workers / 1: ${median(scale).toFixed(2)}`,
    );
  }
  if (fixed.length > 0) {
    console.log(
      `\nlatency at a fixed rate (open loop, from each request's scheduled time; strict floor capacity ${floorCapacity.toFixed(0)} req/s, ${latencySeconds} s per rate):`,
    );
    console.log(
      `${'rate'.padEnd(44)}${'floor p50'.padStart(10)}${'p99'.padStart(9)}${'gateway p50'.padStart(13)}${'p99'.padStart(9)}${'added p50'.padStart(11)}${'added p99'.padStart(11)}${'gateway served'.padStart(16)}${'dropped'.padStart(9)}${'load µs/req'.padStart(13)}`,
    );
    for (const f of fixed) {
      const sorted = (r: FixedRateResult) => [...r.latenciesMs].sort((a, b) => a - b);
      const [fl, gw] = [sorted(f.floor), sorted(f.gateway)];
      const served = f.gateway.ok / f.gateway.seconds;
      console.log(
        `${`${f.rate} req/s (${Math.round(f.fraction * 100)} % ${f.label})`.padEnd(44)}${fmt(percentile(fl, 50), 2)}${fmt(percentile(fl, 99), 2)}${fmt(percentile(gw, 50), 2).padStart(13)}${fmt(percentile(gw, 99), 2)}${fmt(percentile(gw, 50) - percentile(fl, 50), 2).padStart(11)}${fmt(percentile(gw, 99) - percentile(fl, 99), 2).padStart(11)}${`${served.toFixed(0)} req/s`.padStart(16)}${String(f.gateway.dropped + f.floor.dropped).padStart(9)}${`${f.floor.loadCpuUs.toFixed(0)}/${f.gateway.loadCpuUs.toFixed(0)}`.padStart(13)}`,
      );
    }
    console.log('(a rate the gateway cannot sustain shows as growing latency and dropped requests)');
  }
  const released = gatewayResult.ok + workersResult.ok + outwayResult.ok + fixed.reduce((n, f) => n + f.gateway.ok, 0);
  console.log(`released responses: ${released}; with an access record: ${released - missing}; missing: ${missing}`);
  const p = (list: LoadResult[], q: number) =>
    percentile(
      list.flatMap((r) => r.latenciesMs).sort((a, b) => a - b),
      q,
    );
  const hop = results.outway.map((o, i) => rate(o) / rate(results.gateway[i] as LoadResult));
  if (keys.includes('outway') && keys.includes('gateway'))
    console.log(
      `outway hop: ratio app → outway → gateway / gateway alone ${median(hop).toFixed(2)} (rounds: ${hop.map((r) => r.toFixed(2)).join(', ')}); ` +
        `added p50 ${(p(results.outway, 50) - p(results.gateway, 50)).toFixed(2)} ms, added p99 ${(p(results.outway, 99) - p(results.gateway, 99)).toFixed(2)} ms ` +
        `(same ${concurrency} connections, closed loop)`,
    );
  console.log(
    `answers through the outway: ${outwayResult.ok}; with an outway record: ${outwayResult.ok - missingAtOutway}; missing: ${missingAtOutway}`,
  );
  const batches = (name: string, b: { averageBatch: number; averageCommitMs: number; batches: number } | undefined) =>
    b
      ? `${name} ${b.batches} batches of ${b.averageBatch.toFixed(1)} on average (${b.averageCommitMs.toFixed(2)} ms each)`
      : `${name}: not in /readyz`;
  console.log(`group commit: ${batches('log', ready.log)}, ${batches('nonces', ready.nonces)}`);

  // Issue 31's targets, each from this run beside its floor.
  console.log('\ntargets (issue 31), from this run:');
  const u = unavoidable;
  console.log(
    `  measured in-process before the load: one Ed25519 verification ${u.verify.toFixed(0)} µs CPU by the primitive ` +
      `(on the pool with a callback, as the gateway calls it: ${u.verifyAsync.toFixed(0)}), one signature ${u.sign.toFixed(0)}, ` +
      `one durable append ${u.append.toFixed(0)} per record by the gateway's log writer in group commits of ${u.appendBatch.toFixed(0)}` +
      (ready.log ? ` (the gateway's own: ${ready.log.averageBatch.toFixed(1)})` : ''),
  );
  const perRequest = (key: Target, part: 'server' | 'main' | 'source' | 'load') =>
    (cpu[key][part] * 1000) / results[key].reduce((n, r) => n + r.completed, 0);
  if (keys.includes('proxyNode') && keys.includes('gateway')) {
    const limit = limitOf(
      {
        server: perRequest('proxyNode', 'server'),
        source: perRequest('proxyNode', 'source'),
        load: perRequest('proxyNode', 'load'),
      },
      u,
    );
    console.log(`  ${limitLine(limit, u)}`);
    const gatewayRatio = median(results.gateway.map((g, i) => rate(g) / rate(results.proxyNode[i] as LoadResult)));
    console.log(`  ${gatewayRatioLine(gatewayRatio, limit).line}`);
  } else console.log('  limit and ratio: need the targets proxyNode and gateway (BENCH_ONLY)');
  const half = fixed.find((f) => f.label === "of the gateway's own capacity");
  if (half) {
    const sorted = (r: FixedRateResult) => [...r.latenciesMs].sort((a, b) => a - b);
    const [fl, gw] = [sorted(half.floor), sorted(half.gateway)];
    const at = `${half.rate} req/s, ${Math.round(half.fraction * 100)} % of the gateway's capacity`;
    const added = addedLatencyLine(
      percentile(gw, 50) - percentile(fl, 50),
      percentile(gw, 99) - percentile(fl, 99),
      at,
    );
    console.log(`  ${added.line}`);
  }
  if (keys.includes('outway') && keys.includes('gateway'))
    console.log(`  ${outwayLine(perRequest('outway', 'server'), perRequest('gateway', 'server')).line}`);
  console.log(
    `  released without an access record: ${missing + missingAtOutway} (target 0): ${missing + missingAtOutway === 0 ? 'MET' : 'NOT MET'}`,
  );
  if (missing > 0 || missingAtOutway > 0) process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(data, { recursive: true, force: true });
}
