/**
 * Fills a gateway database (SQLite) with synthetic access records for the read benchmark, fast:
 * indexes are dropped during the load and rebuilt after (as the migrations define them), the load
 * runs without a journal in batches of 50 000, and records are written in time order, as a gateway
 * writes them. The registry it is checked against is seeded 400 days before the last record, so
 * that every record falls inside an autorisatie that the registry knew at the time.
 *
 * Every record is a leaf of the verifiable log (log `bench`), with its subtrees and one signed head
 * over the whole tree, as the gateway's group commit writes them: a coverage report counts only what
 * signed heads hold.
 *
 * The result is cached under bench/.data/ (gitignored; about 2.4 KB per record on disk).
 */
/** Raised when what a fill holds changes, so that an older cache is filled again. */
const FILL_FORMAT = 4;
export const BENCH_LOG_ID = 'bench';

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMonthPartitions, MerkleTree, migrateGateway, signTreeHead } from '@poortwachter/gateway';
import type { RegistryDatabase } from '@poortwachter/registry';
import { migrateRegistry, openDatabase, seedDemoRegistry } from '@poortwachter/registry';
import { BRP_SERVICE_ID, DEMO_OIN, demoAutorisaties, loadPersonen } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { type Kysely, sql } from 'kysely';

export const BENCH_DATA = fileURLToPath(new URL('.data/', import.meta.url));
export const BENCH_LOG_KEY = new Uint8Array(32).fill(42);
const DAY = 86_400_000;

export interface FilledLog {
  readonly gatewayDb: string;
  readonly registryDb: string;
  readonly keyDir: string;
  readonly records: number;
  /** The last record's time; records span the `years` (default one) before it. */
  readonly end: number;
  /** BSNs of subjects, heaviest first (index 0 has the most records). */
  readonly bsns: readonly string[];
}

/** `count` BSNs that pass the elfproef: the test persons first, then synthetic ones. */
export function benchBsns(count: number): string[] {
  const bsns = [...new Set(loadPersonen().map((p) => String(p.burgerservicenummer)))];
  for (let n = 10_000_000; bsns.length < count; n++) {
    const digits = String(n);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * Number(digits[i]);
    const check = sum % 11;
    if (check < 10) bsns.push(`${digits}${check}`);
  }
  return bsns.slice(0, count);
}

export async function fillAccessLog(
  records: number,
  subjects = Math.max(1000, Math.round(records / 5)),
  options: { postgres?: string; years?: number } = {},
): Promise<FilledLog> {
  mkdirSync(BENCH_DATA, { recursive: true });
  const years = options.years ?? 1;
  const name = `${options.postgres ? 'reads-pg' : 'reads'}-${records}${years === 1 ? '' : `-${years}y`}`;
  if (options.postgres) return fillPostgres(records, subjects, name, options.postgres, years);
  const gatewayDb = join(BENCH_DATA, `${name}.gateway.db`);
  const registryDb = join(BENCH_DATA, `${name}.registry.db`);
  const keyDir = join(BENCH_DATA, `${name}-keys`);
  const meta = join(BENCH_DATA, `${name}.json`);
  const bsns = benchBsns(subjects);
  const cached = existsSync(meta)
    ? (JSON.parse(readFileSync(meta, 'utf8')) as { end: number; format?: number })
    : undefined;
  if (cached?.format === FILL_FORMAT && existsSync(gatewayDb) && existsSync(registryDb)) {
    const { end } = cached;
    process.stderr.write(`using the filled log in ${gatewayDb} (delete bench/.data/ to fill again)\n`);
    return { gatewayDb, registryDb, keyDir, records, end, bsns };
  }
  for (const f of [gatewayDb, `${gatewayDb}-wal`, `${gatewayDb}-shm`, registryDb, meta]) rmSync(f, { force: true });
  rmSync(keyDir, { recursive: true, force: true });

  const end = Date.now() - 60_000;
  const start = end - years * 365 * DAY;
  const seededAt = new Date(start - 35 * DAY);
  const registry = openDatabase<RegistryDatabase>(`sqlite:${registryDb}`);
  await migrateRegistry(registry.db as never);
  await seedDemoRegistry(registry.db, { keyDir, gatewayUrl: 'http://127.0.0.1:18302', now: seededAt });
  await registry.close();

  // The autorisaties in force over the whole year (as seeded), each with the fields it allows.
  const pairs = demoAutorisaties(seededAt)
    .filter((a) => Date.parse(a.validFrom) <= start && (!a.validTo || Date.parse(a.validTo) > end))
    .map((a) => ({ oin: a.afnemerOin, activity: a.processingActivityId, fields: a.fields.slice(0, 6) }));
  process.stderr.write(
    `filling ${records.toLocaleString('en')} access records for ${bsns.length.toLocaleString('en')} subjects under ${pairs.length} autorisaties (one-off; cached in bench/.data/)…\n`,
  );

  const tmp = `${gatewayDb}.filling`;
  rmSync(tmp, { force: true });
  const opened = openDatabase(`sqlite:${tmp}`);
  await migrateGateway(opened.db as never);
  const db = opened.sqlite;
  if (!db) throw new Error('expected SQLite');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const indexes = db
    .prepare(
      "select name, sql from sqlite_master where type = 'index' and tbl_name in ('access_log', 'merkle_leaves', 'merkle_nodes') and sql is not null",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`drop index ${index.name}`);

  const generate = recordGenerator(bsns, pairs, start, end, records);
  const insert = db.prepare(
    `insert into access_log (id, trace_id, span_id, parent_span_id, start_time, end_time, status, processing_activity_id,
       processing_activity_version, data_subject_id, foreign_processor, service_id, transaction_id, released_fields, record,
       log_id, leaf_index)
     values (?, ?, ?, ?, ?, ?, 'Ok', ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLeaf = db.prepare(
    'insert into merkle_leaves (log_id, leaf_index, record_id, leaf_hash) values (?, ?, ?, ?)',
  );
  const insertNode = db.prepare('insert into merkle_nodes (log_id, level, node_index, hash) values (?, ?, ?, ?)');
  const { tree } = generate;
  const started = performance.now();
  const BATCH = 50_000;
  const write = db.transaction((from: number, to: number) => {
    const { rows, append } = generate.batch(from, to);
    for (const r of rows) insert.run(...r);
    for (const l of append.leaves) insertLeaf.run(l.log_id, l.leaf_index, l.record_id, l.leaf_hash);
    for (const n of append.nodes) insertNode.run(n.log_id, n.level, n.node_index, n.hash);
    append.commit();
  });
  for (let i = 0; i < records; i += BATCH) {
    write(i, Math.min(records, i + BATCH));
    const done = Math.min(records, i + BATCH);
    if (done % 1_000_000 === 0 || done === records) {
      process.stderr.write(
        `  ${done.toLocaleString('en')} rows, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
    }
  }
  for (const index of indexes) {
    const t = performance.now();
    db.exec(index.sql);
    process.stderr.write(`  index ${index.name}: ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  }
  const providerKey = JSON.parse(readFileSync(join(keyDir, `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as JWK;
  const head = {
    log_id: BENCH_LOG_ID,
    tree_size: tree.size,
    root_hash: Buffer.from(tree.root()).toString('base64'),
    timestamp: end,
  };
  db.prepare('insert into merkle_heads (log_id, tree_size, root_hash, timestamp, jws) values (?, ?, ?, ?, ?)').run(
    head.log_id,
    head.tree_size,
    head.root_hash,
    head.timestamp,
    await signTreeHead(providerKey, head),
  );
  db.exec('analyze');
  db.pragma('journal_mode = WAL');
  await opened.close();
  renameSync(tmp, gatewayDb);
  writeFileSync(meta, JSON.stringify({ end, records, subjects: bsns.length, format: FILL_FORMAT }));
  process.stderr.write(`filled in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  return { gatewayDb, registryDb, keyDir, records, end, bsns };
}

/** One access_log row, in the insert's column order (see ROW_COLUMNS). */
type Row = [
  string,
  string,
  string,
  string,
  number,
  number,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  number,
];
const ROW_COLUMNS = [
  'id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'start_time',
  'end_time',
  'processing_activity_id',
  'data_subject_id',
  'foreign_processor',
  'service_id',
  'transaction_id',
  'released_fields',
  'record',
  'log_id',
  'leaf_index',
] as const;

/**
 * Synthetic records in time order over [start, end), skewed towards the first subjects (a few have
 * thousands of records, most a handful), each a leaf of the bench's Merkle tree.
 */
function recordGenerator(
  bsns: readonly string[],
  pairs: readonly { oin: string; activity: string; fields: string[] }[],
  start: number,
  end: number,
  records: number,
) {
  const pseudonyms = bsns.map((bsn) => createHmac('sha256', BENCH_LOG_KEY).update(`BSN:${bsn}`, 'utf8').digest('hex'));
  const tree = new MerkleTree(BENCH_LOG_ID);
  const random = randomBytes(64 * 1024 * 1024);
  let offset = 0;
  const hex = (bytes: number) => {
    if (offset + bytes > random.length) offset = 0;
    const s = random.toString('hex', offset, offset + bytes);
    offset += bytes;
    return s;
  };
  const uuid7 = (ms: number) => {
    const h = ms.toString(16).padStart(12, '0');
    const r = hex(10);
    return `${h.slice(0, 8)}-${h.slice(8)}-7${r.slice(0, 3)}-${(8 + (Number.parseInt(r[3] ?? '0', 16) & 3)).toString(16)}${r.slice(4, 7)}-${r.slice(7, 19)}`;
  };
  const step = (end - start) / records;
  return {
    tree,
    batch(from: number, to: number) {
      const rows: Row[] = [];
      const entries: { id: string; record: unknown }[] = [];
      for (let i = from; i < to; i++) {
        const t = Math.floor(start + i * step);
        const subject = Math.floor(Math.random() ** 2 * pseudonyms.length);
        const pair = pairs[i % pairs.length] ?? pairs[0];
        if (!pair) throw new Error('no autorisatie covers the whole year');
        const fields = pair.fields.slice(0, 2 + (i % (pair.fields.length - 1)));
        const traceId = hex(16);
        const spanId = hex(8);
        const parent = hex(8);
        const tx = uuid7(t);
        const id = uuid7(t);
        const logged = {
          trace_id: traceId,
          span_id: spanId,
          parent_span_id: parent,
          name: `${BRP_SERVICE_ID} RaadpleegMetBurgerservicenummer`,
          status: 'Ok',
          start_time: t,
          end_time: t + 4,
          resource: {
            attributes: {
              'service.name': 'poortwachter-gateway',
              'service.instance.id': 'bench',
              'poortwachter.service_id': BRP_SERVICE_ID,
            },
          },
          attributes: {
            'dpl.core.processing_activity_id': pair.activity,
            'dpl.core.data_subject_id': pseudonyms[subject],
            'dpl.core.data_subject_id_type': 'BSN',
            'dpl.core.foreign_operation.processor': pair.oin,
            'poortwachter.processing_activity_version': 1,
            'poortwachter.service_id': BRP_SERVICE_ID,
            'poortwachter.search_type': 'RaadpleegMetBurgerservicenummer',
            'poortwachter.released_fields': fields,
            'poortwachter.fsc_transaction_id': tx,
            'poortwachter.request_digest': `sha-256=:${createHash('sha256').update(traceId).digest('base64')}:`,
            'poortwachter.response_digest': `sha-256=:${createHash('sha256').update(spanId).digest('base64')}:`,
          },
        };
        entries.push({ id, record: logged });
        rows.push([
          id,
          traceId,
          spanId,
          parent,
          t,
          t + 4,
          pair.activity,
          pseudonyms[subject] as string,
          pair.oin,
          BRP_SERVICE_ID,
          tx,
          JSON.stringify(fields),
          JSON.stringify(logged),
          BENCH_LOG_ID,
          tree.size + entries.length - 1,
        ]);
      }
      return { rows, append: tree.prepare(entries) };
    },
  };
}

/** The registry of a fill (SQLite, beside the cache) and the autorisaties in force over the whole year. */
async function seedBenchRegistry(registryDb: string, keyDir: string, start: number, end: number) {
  const seededAt = new Date(start - 35 * DAY);
  rmSync(registryDb, { force: true });
  rmSync(keyDir, { recursive: true, force: true });
  const registry = openDatabase<RegistryDatabase>(`sqlite:${registryDb}`);
  await migrateRegistry(registry.db as never);
  await seedDemoRegistry(registry.db, { keyDir, gatewayUrl: 'http://127.0.0.1:18302', now: seededAt });
  await registry.close();
  return demoAutorisaties(seededAt)
    .filter((a) => Date.parse(a.validFrom) <= start && (!a.validTo || Date.parse(a.validTo) > end))
    .map((a) => ({ oin: a.afnemerOin, activity: a.processingActivityId, fields: a.fields.slice(0, 6) }));
}

/**
 * The same fill on PostgreSQL (the access log partitioned by month, as the migrations make it), into
 * the database of `url`; cached in that database (a table `bench_fill` says what it holds), so point
 * BENCH_DATABASE_URL at a server whose data directory outlives the run. Rows go in with
 * `insert … select from unnest(…)` in batches of 20 000, the secondary indexes built after.
 */
async function fillPostgres(
  records: number,
  subjects: number,
  name: string,
  url: string,
  years: number,
): Promise<FilledLog> {
  const registryDb = join(BENCH_DATA, `${name}.registry.db`);
  const keyDir = join(BENCH_DATA, `${name}-keys`);
  const bsns = benchBsns(subjects);
  const opened = openDatabase<Record<string, never>>(url);
  const db = opened.db as unknown as Kysely<unknown>;
  try {
    await migrateGateway(db);
    await sql`create table if not exists bench_fill (records bigint, end_ms bigint, format int, years int)`.execute(db);
    const cached = (
      await sql<{
        records: string;
        end_ms: string;
        format: number;
        years: number | null;
      }>`select * from bench_fill`.execute(db)
    ).rows[0];
    if (
      cached &&
      Number(cached.records) === records &&
      cached.format === FILL_FORMAT &&
      Number(cached.years ?? 1) === years &&
      existsSync(registryDb)
    ) {
      process.stderr.write(
        `using the filled log in ${url.replace(/\/\/[^@]*@/, '//')} (drop bench_fill to fill again)\n`,
      );
      return { gatewayDb: url, registryDb, keyDir, records, end: Number(cached.end_ms), bsns };
    }
    await sql`drop table bench_fill`.execute(db);
    await sql`create table bench_fill (records bigint, end_ms bigint, format int, years int)`.execute(db);
    for (const table of [
      'merkle_heads',
      'merkle_nodes',
      'merkle_leaves',
      'access_log',
      'access_log_subject_months',
      'access_log_purged',
    ]) {
      await sql`truncate ${sql.table(table)}`.execute(db);
    }
    const end = Date.now() - 60_000;
    const start = end - years * 365 * DAY;
    const pairs = await seedBenchRegistry(registryDb, keyDir, start, end);
    await ensureMonthPartitions(db, start, end);
    process.stderr.write(
      `filling ${records.toLocaleString('en')} access records on PostgreSQL for ${bsns.length.toLocaleString('en')} subjects (one-off; cached in that database)…\n`,
    );
    const indexes = (
      await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes
        where tablename in ('access_log', 'merkle_leaves', 'merkle_nodes', 'access_log_subject_months')
          and indexname not like '%pk%' and indexname not like '%pkey'`.execute(db)
    ).rows;
    for (const index of indexes) await sql`drop index if exists ${sql.id(index.name)}`.execute(db);
    const generate = recordGenerator(bsns, pairs, start, end, records);
    const started = performance.now();
    const BATCH = 20_000;
    const column = (rows: Row[], i: number) => rows.map((r) => r[i]);
    for (let i = 0; i < records; i += BATCH) {
      const { rows, append } = generate.batch(i, Math.min(records, i + BATCH));
      await sql`insert into access_log (${sql.join(ROW_COLUMNS.map((c) => sql.id(c)))}, status, processing_activity_version)
        select *, 'Ok', 1 from unnest(
          ${column(rows, 0)}::text[], ${column(rows, 1)}::text[], ${column(rows, 2)}::text[], ${column(rows, 3)}::text[],
          ${column(rows, 4)}::bigint[], ${column(rows, 5)}::bigint[], ${column(rows, 6)}::text[], ${column(rows, 7)}::text[],
          ${column(rows, 8)}::text[], ${column(rows, 9)}::text[], ${column(rows, 10)}::text[], ${column(rows, 11)}::text[],
          ${column(rows, 12)}::text[], ${column(rows, 13)}::text[], ${column(rows, 14)}::bigint[])`.execute(db);
      const leaves = append.leaves;
      await sql`insert into merkle_leaves (log_id, leaf_index, record_id, leaf_hash)
        select * from unnest(${leaves.map((l) => l.log_id)}::text[], ${leaves.map((l) => l.leaf_index)}::bigint[],
          ${leaves.map((l) => l.record_id)}::text[], ${leaves.map((l) => l.leaf_hash)}::text[])`.execute(db);
      const nodes = append.nodes;
      if (nodes.length > 0) {
        await sql`insert into merkle_nodes (log_id, level, node_index, hash)
          select * from unnest(${nodes.map((n) => n.log_id)}::text[], ${nodes.map((n) => n.level)}::int[],
            ${nodes.map((n) => n.node_index)}::bigint[], ${nodes.map((n) => n.hash)}::text[])`.execute(db);
      }
      append.commit();
      const done = Math.min(records, i + BATCH);
      if (done % 1_000_000 === 0 || done === records) {
        process.stderr.write(
          `  ${done.toLocaleString('en')} rows, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
        );
      }
    }
    const noted = performance.now();
    await sql`insert into access_log_subject_months (data_subject_id, month, records)
      select data_subject_id, to_char(to_timestamp(start_time / 1000.0) at time zone 'UTC', 'YYYY-MM'), count(*)
        from access_log where data_subject_id is not null group by 1, 2`.execute(db);
    process.stderr.write(`  subject months: ${((performance.now() - noted) / 1000).toFixed(0)} s\n`);
    for (const index of indexes) {
      const t = performance.now();
      // pg_indexes gives a partitioned table's index as `ON ONLY`, which would index no partition.
      await sql.raw(index.def.replace(' ON ONLY ', ' ON ')).execute(db);
      process.stderr.write(`  index ${index.name}: ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
    }
    const providerKey = JSON.parse(readFileSync(join(keyDir, `${DEMO_OIN.rvig}.jwk.json`), 'utf8')) as JWK;
    const { tree } = generate;
    const head = {
      log_id: BENCH_LOG_ID,
      tree_size: tree.size,
      root_hash: Buffer.from(tree.root()).toString('base64'),
      timestamp: end,
    };
    const jws = await signTreeHead(providerKey, head);
    await sql`insert into merkle_heads (log_id, tree_size, root_hash, timestamp, jws)
      values (${head.log_id}, ${head.tree_size}, ${head.root_hash}, ${head.timestamp}, ${jws})`.execute(db);
    await sql`analyze`.execute(db);
    await sql`insert into bench_fill values (${records}, ${end}, ${FILL_FORMAT}, ${years})`.execute(db);
    process.stderr.write(`filled in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    return { gatewayDb: url, registryDb, keyDir, records, end, bsns };
  } finally {
    await opened.close();
  }
}
