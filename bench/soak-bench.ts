/**
 * `pnpm bench:soak` (not part of `pnpm bench`: it takes ten minutes): the gateway under an open-loop
 * load at half its own capacity for BENCH_SOAK_SECONDS, to see whether it holds up over time (issue 31:
 * RSS flat, growth under 10 %, and no latency drift).
 *
 * A registry, the example BRP source and one gateway (durable SQLite log). First the gateway's capacity,
 * briefly (closed loop, BENCH_CONCURRENCY connections, BENCH_SOAK_CAPACITY_SECONDS), unless
 * BENCH_SOAK_RATE gives the rate; then the soak at half of it (`runFixedRate`: latency from each request's
 * scheduled time), one interval after the other (BENCH_SOAK_INTERVAL seconds, default 60, or a quarter of
 * a shorter soak). Per interval: the gateway's RSS (VmRSS) at its end, p50/p99, requests served, errors
 * and dropped, the gateway's CPU per request. At the end: RSS growth from the end of the first interval
 * to the end (target < 10 %), p99 drift of the last interval against the first (drift: more than 2 ms
 * and more than 50 % higher), each with its status, and that every released response has its record.
 * Requests are signed as they are needed by a process of their own (`soak-signer.ts`): a soak outlasts
 * a signature's validity, and signing is the caller's cost, not the load's event loop's.
 *
 * Environment: BENCH_SOAK_SECONDS (600), BENCH_SOAK_RATE (req/s), BENCH_SOAK_INTERVAL, BENCH_CONCURRENCY
 * (32), BENCH_SOAK_CAPACITY_SECONDS (6), BENCH_PORT_BASE (18440).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';
import { healthy, processes, rss, treeCpuMs, unloggedTransactions } from './harness.ts';
import { type PreparedRequest, percentile, runFixedRate, runLoad } from './load.ts';
import { soakLines, status } from './targets.ts';

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const interval = Number(process.env.BENCH_SOAK_INTERVAL ?? Math.min(60, seconds / 4));
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const capacitySeconds = Number(process.env.BENCH_SOAK_CAPACITY_SECONDS ?? 6);
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 18440);
const PORTS = { registry: PORT_BASE, source: PORT_BASE + 1, gateway: PORT_BASE + 2 };
const local = (port: number) => `http://127.0.0.1:${port}`;
const data = mkdtempSync(join(tmpdir(), 'poortwachter-soak-'));
const { start, children } = processes(data);

for (const port of Object.values(PORTS)) {
  if (
    await fetch(`${local(port)}/healthz`).then(
      () => true,
      () => false,
    )
  ) {
    console.error(`port ${port} is in use; the soak needs ports ${Object.values(PORTS).join(', ')} free`);
    process.exit(2);
  }
}

/** Signed requests from the signer process, asked for ahead of need. */
function signedRequests(signer: ChildProcess) {
  const buffer: PreparedRequest[] = [];
  let asked = false;
  let waiting: (() => void) | undefined;
  signer.on('message', (signed: PreparedRequest[]) => {
    buffer.push(...signed);
    asked = false;
    waiting?.();
  });
  const ask = (count: number) => {
    if (asked) return;
    asked = true;
    signer.send({ count });
  };
  return {
    /** Waits until `count` are at hand. */
    async fill(count: number) {
      while (buffer.length < count) {
        ask(Math.min(2000, count - buffer.length));
        await new Promise<void>((resolve) => {
          waiting = resolve;
        });
      }
    },
    /** The next request; asks for more when fewer than `ahead` are left. */
    next(ahead: number): PreparedRequest | undefined {
      if (buffer.length < ahead) ask(ahead);
      return buffer.shift();
    },
  };
}

try {
  start('packages/registry/src/server/main.ts', {
    PORT: String(PORTS.registry),
    GATEWAY_PUBLIC_URL: local(PORTS.gateway),
  });
  await healthy(PORTS.registry);
  start('examples/brp-source/src/server.ts', { PORT: String(PORTS.source) });
  const gateway = start('packages/gateway/src/server/main.ts', {
    PORT: String(PORTS.gateway),
    REGISTRY_URL: local(PORTS.registry),
    SOURCE_URL: local(PORTS.source),
  });
  await Promise.all([PORTS.source, PORTS.gateway].map((port) => healthy(port)));
  for (let i = 0; i < 300 && !(await fetch(`${local(PORTS.gateway)}/readyz`)).ok; i++)
    await new Promise((r) => setTimeout(r, 100));

  const signer = spawn(process.execPath, [...SOURCE_LOADER, 'bench/soak-signer.ts'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      SIGNER_KEY_FILE: join(data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`),
      SIGNER_URL: `${local(PORTS.gateway)}/personen`,
      SIGNER_BODY: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: ['999993653'],
        fields: ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.postcode'],
      }),
      SIGNER_ACTIVITY: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    },
  });
  children.push(signer);
  const signed = signedRequests(signer);
  const released: string[] = [];

  let rate = Number(process.env.BENCH_SOAK_RATE ?? 0);
  if (!(rate > 0)) {
    const count = Math.ceil(capacitySeconds * 3000) + 500;
    process.stderr.write(`signing ${count} requests for the capacity…\n`);
    await signed.fill(count);
    await runLoad(PORTS.gateway, () => signed.next(0), { concurrency: 4, seconds: 1 });
    const capacity = await runLoad(PORTS.gateway, () => signed.next(0), { concurrency, seconds: capacitySeconds });
    released.push(...capacity.okTransactions);
    rate = Math.round(capacity.completed / capacity.seconds / 2);
    process.stderr.write(
      `capacity ${(capacity.completed / capacity.seconds).toFixed(0)} req/s (closed loop, ${concurrency} connections); soak at ${rate} req/s\n`,
    );
  }
  // Two seconds of requests signed ahead, refilled as they are used.
  const ahead = Math.max(200, rate * 2);
  await signed.fill(ahead);

  const intervals = Math.max(1, Math.round(seconds / interval));
  process.stderr.write(
    `soak: ${rate} req/s for ${intervals} intervals of ${interval} s (open loop, latency from the scheduled time)…\n`,
  );
  console.log(`\ngateway soak at ${rate} req/s, open loop, ${intervals} intervals of ${interval} s`);
  console.log(
    `${'interval'.padEnd(10)}${'RSS MiB'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'served/s'.padStart(10)}${'errors'.padStart(8)}${'dropped'.padStart(9)}${'CPU µs/req'.padStart(12)}`,
  );
  const rows: { rss: number; p50: number; p99: number }[] = [];
  for (let i = 0; i < intervals; i++) {
    const cpuBefore = treeCpuMs(gateway.pid).all;
    const result = await runFixedRate(PORTS.gateway, () => signed.next(ahead), { rate, seconds: interval });
    const cpu = treeCpuMs(gateway.pid).all - cpuBefore;
    released.push(...result.okTransactions);
    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const row = { rss: rss(gateway.pid), p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    rows.push(row);
    console.log(
      `${`${((i + 1) * interval).toFixed(0)} s`.padEnd(10)}${row.rss.toFixed(0).padStart(9)}${row.p50.toFixed(2).padStart(9)}${row.p99.toFixed(2).padStart(9)}${(result.ok / result.seconds).toFixed(0).padStart(10)}${String(result.errors).padStart(8)}${String(result.dropped).padStart(9)}${((cpu * 1000) / Math.max(1, result.completed)).toFixed(0).padStart(12)}`,
    );
  }

  await new Promise((r) => setTimeout(r, 500));
  const missing = await unloggedTransactions(join(data, 'gateway.db'), released);
  const first = rows[0];
  const last = rows.at(-1);
  console.log('\ntargets (issue 31), from this soak:');
  if (first && last && rows.length > 1) {
    const verdict = soakLines({ first: first.rss, last: last.rss }, { first: first.p99, last: last.p99 });
    for (const line of verdict.lines) console.log(`  ${line}`);
  } else console.log('  RSS growth and drift need at least two intervals (BENCH_SOAK_INTERVAL)');
  console.log(
    `  released responses: ${released.length}; without an access record: ${missing} (target 0): ${status(missing === 0)}`,
  );
  if (missing > 0) process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(data, { recursive: true, force: true });
}
