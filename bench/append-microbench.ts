/**
 * Microbenchmark of the log's write path alone, in-process on a SQLite file (durable, as the gateway
 * opens it): CONCURRENCY (8) simulated requests each claim a nonce, then append their access record and
 * wait until it is durable, N (4000) records per round. Compares the two group-committed queues the
 * gateway had (`two-queues`: one transaction for the nonces, one per log batch, the next batch waiting
 * for the fdatasync) with the one writer of log-writer.ts (`one-writer`), ROUNDS (3) interleaved rounds,
 * each on a fresh file. Prints the event loop's CPU per record (the main thread's utime + stime from
 * /proc), the whole process's, and the time from a request's claim to its durable record.
 * Variants: MODES (two-queues,one-writer), each `mode` or `mode@<migration>` (the schema stopped there).
 * Run: `npx tsx --conditions=source bench/append-microbench.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '@poortwachter/protocol';
import { openDatabase } from '@poortwachter/registry';
import { type Kysely, Migrator } from 'kysely';
import { BatchQueue, type GroupCommitter } from '../packages/gateway/src/log/group-commit.ts';
import { createLogCommitter } from '../packages/gateway/src/log/log-committer.ts';
import { createLogWriter } from '../packages/gateway/src/log/log-writer.ts';
import { loadTree } from '../packages/gateway/src/log/merkle/merkle-store.ts';
import type { LogWrite } from '../packages/gateway/src/storage/access-log-store.ts';
import type { StoredAccessRecord } from '../packages/gateway/src/storage/access-record.ts';
import { gatewayMigrations, migrateGateway } from '../packages/gateway/src/storage/migrate.ts';
import type { NonceClaim } from '../packages/gateway/src/storage/nonce-store.ts';
import { inThreadExecutor } from '../packages/gateway/src/storage/sqlite-executor.ts';
import { createSqliteAccessLogStore, createSqliteNonceStore } from '../packages/gateway/src/storage/sqlite-stores.ts';
import type { GatewayDatabase } from '../packages/gateway/src/storage/tables.ts';

const N = Number(process.env.N ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** `mode` or `mode@migration`: the schema stopped at that migration (e.g. 2026-12-13T0100-gateway-checkpoints, the rowid tables before issue 31). */
const MODES = (process.env.MODES ?? 'two-queues,one-writer').split(',');
type Mode = 'two-queues' | 'one-writer';

const TICK_MS = 10; // USER_HZ 100
const threadCpuMs = (tid: number) => {
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
};
const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const record = (): StoredAccessRecord => {
  const now = Date.now();
  const id = uuidv7(now);
  return {
    id,
    record: {
      trace_id: randomBytes(16).toString('hex'),
      span_id: randomBytes(8).toString('hex'),
      name: 'brp-personen RaadpleegMetBurgerservicenummer',
      status: 'Ok',
      start_time: now,
      end_time: now + 3,
      resource: { attributes: { 'service.name': 'poortwachter-gateway' } },
      attributes: {
        'dpl.core.processing_activity_id': 'https://www.utrecht.nl/verwerkingsactiviteiten/wmo',
        'dpl.core.data_subject_id': randomBytes(32).toString('base64url'),
        'dpl.core.data_subject_id_type': 'BSN',
        'dpl.core.foreign_operation.processor': '00000001000000344000',
        'poortwachter.processing_activity_version': 1,
        'poortwachter.service_id': 'brp-personen',
        'poortwachter.search_type': 'RaadpleegMetBurgerservicenummer',
        'poortwachter.released_fields': ['naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'],
        'poortwachter.fsc_transaction_id': randomUUID(),
        'poortwachter.request_digest': `sha-256=:${randomBytes(32).toString('base64')}:`,
        'poortwachter.response_digest': `sha-256=:${randomBytes(32).toString('base64')}:`,
      },
    },
  };
};

async function round(variant: string) {
  const [mode, SCHEMA] = variant.split('@') as [Mode, string | undefined];
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-append-'));
  const opened = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'gateway.db')}`, { durable: true });
  if (SCHEMA) {
    const migrator = new Migrator({
      db: opened.db as Kysely<unknown>,
      provider: { getMigrations: async () => gatewayMigrations },
      migrationTableName: 'gateway_migrations',
      migrationLockTableName: 'gateway_migrations_lock',
    });
    const { error } = await migrator.migrateTo(SCHEMA);
    if (error) throw error;
  } else await migrateGateway(opened.db as Kysely<unknown>);
  if (!opened.sqlite) throw new Error('expected SQLite');
  if (process.env.WAL_AUTOCHECKPOINT) opened.sqlite.pragma(`wal_autocheckpoint = ${process.env.WAL_AUTOCHECKPOINT}`);
  const executor = inThreadExecutor(opened.sqlite);
  const tree = await loadTree(opened.db, 'bench');
  let log: GroupCommitter<LogWrite, void>;
  let nonces: GroupCommitter<NonceClaim, boolean>;
  if (mode === 'one-writer') {
    ({ log, nonces } = createLogWriter({ executor, tree, logKeyId: 'k1' }));
  } else {
    log = createLogCommitter(createSqliteAccessLogStore(executor, 'k1'), tree);
    const nonceStore = createSqliteNonceStore(executor);
    nonces = new BatchQueue((claims) => nonceStore.claim(claims));
  }
  const records = Array.from({ length: N }, record);
  let next = 0;
  const latencies: number[] = [];
  const loopBefore = threadCpuMs(process.pid);
  const processBefore = processCpuMs();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const r = records[next++] as StoredAccessRecord;
        const at = performance.now();
        if (!(await nonces.submit({ keyid: 'bench', nonce: r.id, expiresAt: Date.now() + 300_000 })))
          throw new Error('replay');
        await log.submit({ accessRecords: [r] });
        latencies.push(performance.now() - at);
      }
    }),
  );
  const wall = performance.now() - started;
  const loop = threadCpuMs(process.pid) - loopBefore;
  const all = processCpuMs() - processBefore;
  const stats = log.stats;
  await executor.close();
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    mode: variant,
    loopUs: (loop * 1000) / N,
    processUs: (all * 1000) / N,
    perSecond: N / (wall / 1000),
    p50: at(0.5),
    p99: at(0.99),
    batch: stats.averageBatch,
  };
}

console.log(
  `log write path: ${N} records per round, ${CONCURRENCY} requests in flight (claim, then durable record), ${ROUNDS} rounds, node ${process.version}`,
);
console.log('mode          event loop µs/record  process µs/record  records/s  claim→durable p50 ms  p99 ms  batch');
const results = new Map<string, Awaited<ReturnType<typeof round>>[]>();
for (let i = 0; i < ROUNDS; i++) {
  for (const mode of MODES) {
    const r = await round(mode);
    results.set(mode, [...(results.get(mode) ?? []), r]);
    console.log(
      `${mode.padEnd(13)}\n${''.padEnd(13)} ${r.loopUs.toFixed(0).padStart(20)} ${r.processUs.toFixed(0).padStart(18)} ${r.perSecond.toFixed(0).padStart(10)} ${r.p50.toFixed(2).padStart(21)} ${r.p99.toFixed(2).padStart(7)} ${r.batch.toFixed(1).padStart(6)}`,
    );
  }
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const [mode, rs] of results) {
  console.log(
    `median ${mode}: event loop ${median(rs.map((r) => r.loopUs)).toFixed(0)} µs/record, process ${median(rs.map((r) => r.processUs)).toFixed(0)} µs/record, p50 ${median(rs.map((r) => r.p50)).toFixed(2)} ms, p99 ${median(rs.map((r) => r.p99)).toFixed(2)} ms`,
  );
}
