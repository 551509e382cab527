import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { ensureMonthPartitions } from '../partitions.ts';

/**
 * Retention (issue 15): a record past its verwerkingsactiviteit's bewaartermijn leaves `access_log`;
 * what stays is `access_log_purged`: its place in the verifiable log (the leaf hash stays in
 * `merkle_leaves`, so every other proof still verifies), when it was purged and under which term, and
 * the subject's pseudonym with the record's time, so that the citizen and the auditor see that a record
 * was removed by retention and when, not that it silently went. Nothing of its content stays: not who
 * asked, not which fields, not the trace or transaction.
 *
 * On PostgreSQL `access_log` becomes partitioned by month of `start_time` (range partitions, UTC), so
 * that a month whose records are all past their term goes by dropping its partition rather than by
 * deleting a billion rows. A partitioned table's primary key must hold the partition key: it becomes
 * (id, start_time); ids stay UUIDv7s made by the gateway, unique by construction.
 *
 * There is no default partition: with one, PostgreSQL cannot read the partitions in time order (a
 * default may hold any time), so a citizen's newest page would merge every month's index instead of
 * stopping at the newest. The log store makes a month's partition before it writes the first record
 * of that month, so no insert lacks one.
 *
 * `access_log_subject_months` (PostgreSQL) says in which months a subject has records and how many,
 * written in the same transaction as the records: a citizen's page reads only the newest months that
 * fill it, so that
 * a page costs the same with 240 months in the log as with one (planning a query over every partition
 * of twenty years costs tens of milliseconds).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('access_log_purged')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('log_id', 'text')
    .addColumn('leaf_index', 'bigint')
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('processing_activity_id', 'text', (c) => c.notNull())
    .addColumn('processing_activity_version', 'integer', (c) => c.notNull())
    .addColumn('data_subject_id', 'text')
    .addColumn('bewaartermijn', 'text', (c) => c.notNull())
    .addColumn('purged_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_log_purged_subject')
    .on('access_log_purged')
    .columns(['data_subject_id', 'start_time'])
    .execute();
  await db.schema
    .createIndex('access_log_purged_position')
    .on('access_log_purged')
    .columns(['log_id', 'leaf_index'])
    .execute();
  // The months dropped whole on PostgreSQL, for the record: which month, when, how many records.
  await db.schema
    .createTable('retention_months')
    .addColumn('month', 'text', (c) => c.primaryKey())
    .addColumn('dropped_at', 'bigint', (c) => c.notNull())
    .addColumn('records', 'bigint', (c) => c.notNull())
    .execute();

  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter table access_log rename to access_log_unpartitioned`.execute(db);
  await sql`alter table access_log_unpartitioned rename constraint access_log_pkey to access_log_unpartitioned_pkey`.execute(
    db,
  );
  await sql`create table access_log (like access_log_unpartitioned including defaults) partition by range (start_time)`.execute(
    db,
  );
  await sql`alter table access_log add constraint access_log_pkey primary key (id, start_time)`.execute(db);
  const months = await sql<{ first: string | number; last: string | number }>`
    select min(start_time) as first, max(start_time) as last from access_log_unpartitioned`.execute(db);
  const { first, last } = months.rows[0] ?? { first: null, last: null };
  const now = Date.now();
  await ensureMonthPartitions(db, first === null ? now : Number(first), Math.max(now, Number(last ?? now)));
  await sql`insert into access_log select * from access_log_unpartitioned`.execute(db);
  await sql`drop table access_log_unpartitioned`.execute(db);
  for (const [name, columns] of INDEXES) {
    await db.schema.createIndex(name).on('access_log').columns(columns).execute();
  }
  await db.schema
    .createTable('access_log_subject_months')
    .addColumn('data_subject_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('records', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('access_log_subject_months_pkey', ['data_subject_id', 'month'])
    .execute();
  // Room on each page for the count's updates to stay on it (HOT: no index entry per update).
  await sql`alter table access_log_subject_months set (fillfactor = 70)`.execute(db);
  await db.schema
    .createIndex('access_log_subject_months_month')
    .on('access_log_subject_months')
    .column('month')
    .execute();
  await sql`insert into access_log_subject_months (data_subject_id, month, records)
    select data_subject_id, ${MONTH_OF_START}, count(*) from access_log where data_subject_id is not null
     group by 1, 2`.execute(db);
}

/** The UTC month (`2026-12`) of a row's start_time (ms), in SQL. */
const MONTH_OF_START = sql.raw(`to_char(to_timestamp(start_time / 1000.0) at time zone 'UTC', 'YYYY-MM')`);

/** The indexes of access_log as the earlier migrations left them (recreated on the partitioned table). */
const INDEXES: [string, string[]][] = [
  ['access_log_transaction', ['transaction_id']],
  ['access_log_trace', ['trace_id']],
  [
    'access_log_subject_time_id',
    [
      'data_subject_id',
      'start_time',
      'id',
      'foreign_processor',
      'processing_activity_id',
      'processing_activity_version',
      'transaction_id',
      'released_fields',
    ],
  ],
  [
    'access_log_coverage',
    [
      'foreign_processor',
      'processing_activity_id',
      'start_time',
      'processing_activity_version',
      'released_fields',
      'data_subject_id',
      'log_id',
      'leaf_index',
    ],
  ],
  ['access_log_time_subject', ['start_time', 'data_subject_id', 'log_id', 'leaf_index']],
];

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.schema.dropTable('access_log_subject_months').execute();
    await sql`create table access_log_flat (like access_log including defaults)`.execute(db);
    await sql`insert into access_log_flat select * from access_log`.execute(db);
    await sql`drop table access_log`.execute(db);
    await sql`alter table access_log_flat rename to access_log`.execute(db);
    await sql`alter table access_log add constraint access_log_pkey primary key (id)`.execute(db);
    for (const [name, columns] of INDEXES) {
      await db.schema.createIndex(name).on('access_log').columns(columns).execute();
    }
  }
  await db.schema.dropTable('retention_months').execute();
  await db.schema.dropTable('access_log_purged').execute();
}
