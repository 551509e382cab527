/**
 * `pnpm bench:brk` (part of `pnpm bench`): Kadaster's BRK path beside the BRP path, in one run on this
 * machine, each against its own floor:
 *   1. a bare hono proxy with the gateway's HTTP client in front of the BRK source (the BRK floor),
 *   2. Kadaster's inway: a GET of one parcel by id (Utrecht, OZB) and the BSN search
 *      `POST /kadastraalonroerendezaken` (Haarlem, bijstand), each with its durable log on SQLite,
 *   3. the same proxy in front of the BRP source (the BRP floor) and RvIG's inway
 *      (`RaadpleegMetBurgerservicenummer`, Utrecht, Wmo).
 * Closed loop, pre-signed requests (unique nonces), interleaved rounds, medians. For each target it
 * prints requests per second, the server's CPU per request, the ratio to its floor, and the BRK's CPU
 * per request over the BRP's, the target (issue 31: the BRK path's CPU per request within 10 % of the
 * BRP path's) with its status, and that every released answer has its record.
 * It is a benchmark, not a test. Environment: BENCH_SECONDS (12 per target, split over the rounds),
 * BENCH_ROUNDS (3), BENCH_CONCURRENCY (32), BENCH_PORT_BASE (18320).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@poortwachter/protocol';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { healthy, processes, treeCpuMs, unloggedTransactions } from './harness.ts';
import { type LoadResult, type PreparedRequest, runLoad } from './load.ts';
import { brkLine } from './targets.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 12);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const data = mkdtempSync(join(tmpdir(), 'poortwachter-brk-bench-'));
/** Ports from BENCH_PORT_BASE (18320), so that two benchmarks can run side by side. */
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 18320);
const PORTS = {
  registry: PORT_BASE + 0,
  brpSource: PORT_BASE + 1,
  brkSource: PORT_BASE + 2,
  brpGateway: PORT_BASE + 3,
  brkGateway: PORT_BASE + 4,
  brpFloor: PORT_BASE + 5,
  brkFloor: PORT_BASE + 6,
};
const { start, children } = processes(data);
const local = (port: number) => `http://127.0.0.1:${port}`;
const HOME = '30000000000001';

for (const port of Object.values(PORTS)) {
  if (
    await fetch(`${local(port)}/healthz`).then(
      () => true,
      () => false,
    )
  ) {
    console.error(`port ${port} is in use; the benchmark needs ports ${Object.values(PORTS).join(', ')} free`);
    process.exit(2);
  }
}

try {
  start('packages/registry/src/server/main.ts', {
    PORT: String(PORTS.registry),
    GATEWAY_PUBLIC_URL: local(PORTS.brpGateway),
    BRK_GATEWAY_PUBLIC_URL: local(PORTS.brkGateway),
  });
  await healthy(PORTS.registry);
  const brpSource = start('examples/brp-source/src/server.ts', { PORT: String(PORTS.brpSource) });
  const brkSource = start('examples/brk-source/src/server.ts', {
    PORT: String(PORTS.brkSource),
    BRK_SOURCE_PUBLIC_URL: local(PORTS.brkSource),
  });
  const gateway = (port: number, env: Record<string, string>) =>
    start('packages/gateway/src/server/main.ts', { PORT: String(port), REGISTRY_URL: local(PORTS.registry), ...env });
  const brpGateway = gateway(PORTS.brpGateway, { SOURCE_URL: local(PORTS.brpSource) });
  const brkGateway = gateway(PORTS.brkGateway, {
    SERVICE_ID: 'brk-bevragen',
    SOURCE_URL: local(PORTS.brkSource),
    DATABASE_URL: `sqlite:${join(data, 'brk-gateway.db')}`,
    LOG_KEY_FILE: join(data, 'keys', 'brk-gateway-log.key'),
    INSTANCE_ID: 'brk-bench',
  });
  const floor = (port: number, source: number) =>
    start('bench/bare-proxy.ts', { PORT: String(port), SOURCE_URL: local(source), PROXY_CLIENT: 'node' });
  const brpFloor = floor(PORTS.brpFloor, PORTS.brpSource);
  const brkFloor = floor(PORTS.brkFloor, PORTS.brkSource);
  await Promise.all(Object.values(PORTS).map((port) => healthy(port)));
  for (const port of [PORTS.brpGateway, PORTS.brkGateway]) {
    for (let i = 0; i < 300 && !(await fetch(`${local(port)}/readyz`)).ok; i++)
      await new Promise((r) => setTimeout(r, 100));
  }

  const key = (oin: string) => JSON.parse(readFileSync(join(data, 'keys', `${oin}.jwk.json`), 'utf8')) as JWK;
  const total = Math.ceil(seconds * 3000) + 3000;
  /** `n` signed requests of one kind, each with its own nonce, used once each by the load. */
  const presign = async (
    n: number,
    port: number,
    method: 'GET' | 'POST',
    path: string,
    body: string,
    oin: string,
    processingActivity: string,
  ) => {
    const list: PreparedRequest[] = [];
    for (let i = 0; i < n; i++) {
      const r = await signRequest({
        url: `${local(port)}${path}`,
        method,
        body,
        privateKey: key(oin),
        processingActivity,
        validitySeconds: 300,
      });
      list.push({ method, path, headers: r.headers, body });
    }
    let used = 0;
    return () => list[used++];
  };
  process.stderr.write(`pre-signing ${3 * total} requests…\n`);
  const byId = `/kadastraalonroerendezaken/${HOME}?fields=identificatie,kadastraleAanduiding,adressen.postcode,adressen.huisnummer`;
  const bsnBody = JSON.stringify({ burgerservicenummer: '999993653' });
  const brpBody = JSON.stringify({
    type: 'RaadpleegMetBurgerservicenummer',
    burgerservicenummer: ['999993653'],
    fields: ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.postcode'],
  });
  const ozb = DEMO_PROCESSING_ACTIVITY.utrechtOzb;
  const targets = {
    brkFloorGet: {
      name: 'BRK floor: bare proxy, GET by id',
      server: brkFloor,
      source: brkSource,
      port: PORTS.brkFloor,
      next: () => ({ method: 'GET', path: byId, headers: {}, body: '' }) as PreparedRequest,
    },
    brkGet: {
      name: "Kadaster's inway, GET by id",
      server: brkGateway,
      source: brkSource,
      port: PORTS.brkGateway,
      next: await presign(total, PORTS.brkGateway, 'GET', byId, '', DEMO_OIN.utrecht, ozb),
    },
    brkFloorBsn: {
      name: 'BRK floor: bare proxy, BSN search',
      server: brkFloor,
      source: brkSource,
      port: PORTS.brkFloor,
      next: () =>
        ({
          path: '/kadastraalonroerendezaken',
          headers: { 'content-type': 'application/json' },
          body: bsnBody,
        }) as PreparedRequest,
    },
    brkBsn: {
      name: "Kadaster's inway, BSN search",
      server: brkGateway,
      source: brkSource,
      port: PORTS.brkGateway,
      next: await presign(
        total,
        PORTS.brkGateway,
        'POST',
        '/kadastraalonroerendezaken',
        bsnBody,
        DEMO_OIN.haarlem,
        DEMO_PROCESSING_ACTIVITY.haarlemVermogen,
      ),
    },
    brpFloor: {
      name: 'BRP floor: bare proxy, personen',
      server: brpFloor,
      source: brpSource,
      port: PORTS.brpFloor,
      next: () => ({ path: '/personen', headers: { 'content-type': 'application/json' }, body: brpBody }),
    },
    brp: {
      name: "RvIG's inway, RaadpleegMetBurgerservicenummer",
      server: brpGateway,
      source: brpSource,
      port: PORTS.brpGateway,
      next: await presign(
        total,
        PORTS.brpGateway,
        'POST',
        '/personen',
        brpBody,
        DEMO_OIN.utrecht,
        DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      ),
    },
  };
  type Target = keyof typeof targets;
  const keys = Object.keys(targets) as Target[];
  for (const k of keys) await runLoad(targets[k].port, targets[k].next, { concurrency: 4, seconds: 0.5 });

  process.stderr.write(
    `running ${rounds} rounds of ${(seconds / rounds).toFixed(1)} s per target, ${concurrency} connections…\n`,
  );
  const results = Object.fromEntries(keys.map((k) => [k, [] as LoadResult[]])) as Record<Target, LoadResult[]>;
  const cpu = Object.fromEntries(keys.map((k) => [k, { server: 0, source: 0 }])) as Record<
    Target,
    { server: number; source: number }
  >;
  for (let round = 0; round < rounds; round++) {
    for (const k of keys) {
      const t = targets[k];
      const before = { server: treeCpuMs(t.server.pid).all, source: treeCpuMs(t.source.pid).all };
      results[k].push(await runLoad(t.port, t.next, { concurrency, seconds: seconds / rounds }));
      cpu[k].server += treeCpuMs(t.server.pid).all - before.server;
      cpu[k].source += treeCpuMs(t.source.pid).all - before.source;
    }
  }
  const rate = (r: LoadResult) => r.completed / r.seconds;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const done = (k: Target) => results[k].reduce((n, r) => n + r.completed, 0);
  const perRequest = (k: Target) => (cpu[k].server * 1000) / done(k);
  const ratio = (k: Target, f: Target) => median(results[k].map((r, i) => rate(r) / rate(results[f][i] as LoadResult)));

  console.log(`\nBRK beside BRP (${concurrency} connections, closed loop, ${rounds} rounds, medians):`);
  console.log(
    `${'target'.padEnd(48)}${'req/s'.padStart(9)}${'ok'.padStart(8)}${'errors'.padStart(8)}${'server CPU µs/req'.padStart(19)}${'source µs/req'.padStart(15)}`,
  );
  for (const k of keys) {
    const ok = results[k].reduce((n, r) => n + r.ok, 0);
    const errors = results[k].reduce((n, r) => n + r.errors + r.completed - r.ok, 0);
    console.log(
      `${targets[k].name.padEnd(48)}${median(results[k].map(rate)).toFixed(0).padStart(9)}${String(ok).padStart(8)}${String(errors).padStart(8)}${perRequest(k).toFixed(0).padStart(19)}${((cpu[k].source * 1000) / done(k)).toFixed(0).padStart(15)}`,
    );
  }
  console.log(
    `\nratio Kadaster's inway / its floor: GET by id ${ratio('brkGet', 'brkFloorGet').toFixed(2)}, BSN search ${ratio('brkBsn', 'brkFloorBsn').toFixed(2)}`,
  );
  console.log(`ratio RvIG's inway / its floor: ${ratio('brp', 'brpFloor').toFixed(2)}`);
  console.log(
    `inway CPU per request, BRK / BRP: GET by id ${(perRequest('brkGet') / perRequest('brp')).toFixed(2)}, BSN search ${(perRequest('brkBsn') / perRequest('brp')).toFixed(2)}`,
  );
  console.log(
    brkLine({ 'GET by id': perRequest('brkGet'), 'BSN search': perRequest('brkBsn') }, perRequest('brp')).line,
  );

  for (const k of ['brkGet', 'brkBsn', 'brp'] as const) {
    if (results[k].every((r) => r.ok === 0)) {
      console.error(`${targets[k].name}: no answer was released; the figures above mean nothing`);
      process.exitCode = 1;
    }
  }
  // Every released BRK answer must have its record.
  await new Promise((r) => setTimeout(r, 500));
  const released = [...results.brkGet, ...results.brkBsn].flatMap((r) => r.okTransactions);
  const missing = await unloggedTransactions(join(data, 'brk-gateway.db'), released);
  console.log(
    `released BRK answers: ${released.length}; with an access record: ${released.length - missing}; missing: ${missing}`,
  );
  if (missing > 0) process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(data, { recursive: true, force: true });
}
