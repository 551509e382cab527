import { DIALECTS, describeDialect, openTestDatabase } from '@poortwachter/registry/testing';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { gatewayMigrations, migrateGateway } from './migrate.ts';
import { ensureMonthPartitions, isPostgres, monthPartitions } from './partitions.ts';

const BEFORE_RETENTION = '2026-12-02T0300-gateway-coverage-jobs';
const BEFORE_LOG_KEY_ID = '2026-12-03T0200-gateway-retention';
/** Three records of three months, one of them two years back. */
const TIMES = [Date.parse('2024-11-15T10:00:00Z'), Date.parse('2026-06-30T23:59:59Z'), Date.now()];

async function migrator(db: Kysely<unknown>) {
  const schema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  return new Migrator({
    db,
    provider: { getMigrations: async () => gatewayMigrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
    migrationTableName: 'gateway_migrations',
    migrationLockTableName: 'gateway_migrations_lock',
  });
}

const rows = async (db: Kysely<unknown>) =>
  (
    await sql<{ id: string; start_time: string | number; record: string }>`
    select id, start_time, record from access_log order by start_time`.execute(db)
  ).rows.map((r) => [r.id, Number(r.start_time), r.record]);

const partitioned = async (db: Kysely<unknown>) =>
  (await sql`select 1 from pg_partitioned_table where partrelid = to_regclass('access_log')`.execute(db)).rows
    .length === 1;

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the retention migration keeps every record (${dialect})`, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => close?.());

    it('up partitions by month (PostgreSQL) and down flattens again, and no record is lost or changed', async () => {
      const opened = await openTestDatabase<unknown>(dialect);
      close = opened.close;
      const db = opened.db;
      const m = await migrator(db);
      expect((await m.migrateTo(BEFORE_RETENTION)).error).toBeUndefined();
      for (const [i, at] of TIMES.entries()) {
        await sql`insert into access_log (id, trace_id, span_id, start_time, end_time, status, processing_activity_id,
            processing_activity_version, data_subject_id, foreign_processor, service_id, transaction_id, record)
          values (${`rec-${i}`}, ${'a'.repeat(32)}, ${'b'.repeat(16)}, ${at}, ${at + 5}, 'STATUS_CODE_OK', 'act', 1,
            'subject', '00000001001234567000', 'brp', ${`tx-${i}`}, ${JSON.stringify({ n: i })})`.execute(db);
      }
      const before = await rows(db);
      expect(before).toHaveLength(3);

      await migrateGateway(db);
      expect(await rows(db)).toEqual(before);
      if (isPostgres(db)) {
        expect(await partitioned(db)).toBe(true);
        const months = (await monthPartitions(db)).map((p) => p.month);
        for (const month of ['2024-11', '2026-06']) expect(months).toContain(month);
        // Every month between the oldest record and two months ahead has its partition, and there is no
        // default partition (it would keep PostgreSQL from reading the months in time order).
        expect(months.length).toBeGreaterThanOrEqual(months.indexOf('2026-06') + 3);
        const all = await sql<{ n: string }>`
          select count(*)::text as n from pg_inherits where inhparent = to_regclass('access_log')`.execute(db);
        expect(all.rows[0]?.n).toBe(String(months.length));
        // Each subject's months are noted for the timeline.
        const subjectMonths = await sql<{ month: string }>`
          select month from access_log_subject_months order by month`.execute(db);
        expect(subjectMonths.rows.map((r) => r.month)).toEqual(TIMES.map((t) => new Date(t).toISOString().slice(0, 7)));
        const key = await sql<{ def: string }>`
          select pg_get_constraintdef(oid) as def from pg_constraint
           where conrelid = to_regclass('access_log') and contype = 'p'`.execute(db);
        expect(key.rows[0]?.def).toBe('PRIMARY KEY (id, start_time)');
      }

      expect((await m.migrateTo(BEFORE_RETENTION)).error).toBeUndefined();
      expect(await rows(db)).toEqual(before);
      if (isPostgres(db)) expect(await partitioned(db)).toBe(false);

      await migrateGateway(db);
      expect(await rows(db)).toEqual(before);
    });
  });
}

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the log-key-id migration (${dialect})`, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => close?.());

    it('adds log_key_id to every month of access_log and to access_log_purged, null for the rows before it', async () => {
      const opened = await openTestDatabase<unknown>(dialect);
      close = opened.close;
      const db = opened.db;
      const m = await migrator(db);
      expect((await m.migrateTo(BEFORE_LOG_KEY_ID)).error).toBeUndefined();
      if (isPostgres(db)) await ensureMonthPartitions(db, TIMES[0] ?? 0, Date.now());
      const insert = (i: number, at: number, keyId?: string) =>
        sql`insert into access_log (id, trace_id, span_id, start_time, end_time, status, processing_activity_id,
            processing_activity_version, data_subject_id, foreign_processor, service_id, transaction_id, record
            ${keyId ? sql`, log_key_id` : sql``})
          values (${`rec-${i}`}, ${'a'.repeat(32)}, ${'b'.repeat(16)}, ${at}, ${at + 5}, 'STATUS_CODE_OK', 'act', 1,
            'subject', '00000001001234567000', 'brp', ${`tx-${i}`}, ${JSON.stringify({ n: i })}
            ${keyId ? sql`, ${keyId}` : sql``})`.execute(db);
      for (const [i, at] of TIMES.entries()) await insert(i, at);
      const before = await rows(db);

      await migrateGateway(db);
      expect(await rows(db)).toEqual(before);
      const keyIds = async () =>
        (
          await sql<{ log_key_id: string | null }>`select log_key_id from access_log order by start_time`.execute(db)
        ).rows.map((r) => r.log_key_id);
      expect(await keyIds()).toEqual([null, null, null]);
      // A new row in the oldest month (its partition on PostgreSQL) takes an id.
      await insert(9, (TIMES[0] ?? 0) + 1, '0123456789abcdef');
      expect(await keyIds()).toEqual([null, '0123456789abcdef', null, null]);
      expect((await sql`select log_key_id from access_log_purged`.execute(db)).rows).toEqual([]);

      expect((await m.migrateTo(BEFORE_LOG_KEY_ID)).error).toBeUndefined();
      expect((await rows(db)).length).toBe(4);
      await expect(sql`select log_key_id from access_log`.execute(db)).rejects.toThrow();
    });
  });
}

const BEFORE_CHECKPOINTS = '2026-12-11T0200-gateway-berichten';

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the checkpoints migration (${dialect})`, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => close?.());

    it('keeps the heads signed before it (checkpoint null), adds the cosignatures table, and goes down again', async () => {
      const opened = await openTestDatabase<unknown>(dialect);
      close = opened.close;
      const db = opened.db;
      const m = await migrator(db);
      expect((await m.migrateTo(BEFORE_CHECKPOINTS)).error).toBeUndefined();
      await sql`insert into merkle_heads (log_id, tree_size, root_hash, timestamp, jws)
        values ('log', 3, 'cm9vdA==', 1, 'a.b.c')`.execute(db);

      await migrateGateway(db);
      const heads = await sql<{ tree_size: string | number; jws: string; checkpoint: string | null }>`
        select tree_size, jws, checkpoint from merkle_heads`.execute(db);
      expect(heads.rows.map((r) => [Number(r.tree_size), r.jws, r.checkpoint])).toEqual([[3, 'a.b.c', null]]);
      const line = '— poortwachter.example/w AAAAAQ==\n';
      const cosign = () =>
        sql`insert into merkle_cosignatures (log_id, tree_size, witness, line, received_at)
          values ('log', 3, 'poortwachter.example/w', ${line}, 2)`.execute(db);
      await cosign();
      // One cosignature per witness and head.
      await expect(cosign()).rejects.toThrow();

      expect((await m.migrateTo(BEFORE_CHECKPOINTS)).error).toBeUndefined();
      await expect(sql`select checkpoint from merkle_heads`.execute(db)).rejects.toThrow();
      await expect(sql`select 1 from merkle_cosignatures`.execute(db)).rejects.toThrow();
      expect((await sql`select jws from merkle_heads`.execute(db)).rows).toEqual([{ jws: 'a.b.c' }]);
    });
  });
}
