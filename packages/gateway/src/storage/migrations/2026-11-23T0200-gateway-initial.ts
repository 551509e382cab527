import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('access_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trace_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('span_id', 'varchar(16)', (c) => c.notNull())
    .addColumn('parent_span_id', 'varchar(16)')
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('processing_activity_id', 'text', (c) => c.notNull())
    .addColumn('processing_activity_version', 'integer', (c) => c.notNull())
    .addColumn('data_subject_id', 'text')
    .addColumn('foreign_processor', 'varchar(20)', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();
  // The citizen's timeline: one subject, newest first.
  await db.schema
    .createIndex('access_log_subject_time')
    .on('access_log')
    .columns(['data_subject_id', 'start_time'])
    .execute();
  // Organisation and auditor reads: per afnemer and processing activity over a period.
  await db.schema
    .createIndex('access_log_processor_activity_time')
    .on('access_log')
    .columns(['foreign_processor', 'processing_activity_id', 'start_time'])
    .execute();
  await db.schema.createIndex('access_log_time').on('access_log').column('start_time').execute();
  await db.schema.createIndex('access_log_transaction').on('access_log').column('transaction_id').execute();
  await db.schema.createIndex('access_log_trace').on('access_log').column('trace_id').execute();

  await db.schema
    .createTable('refusals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('trace_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('caller_oin', 'varchar(20)')
    .addColumn('keyid', 'text')
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('processing_activity_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('fsc_error_code', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('refusals_caller_time').on('refusals').columns(['caller_oin', 'at']).execute();

  await db.schema
    .createTable('nonces')
    .addColumn('keyid', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('nonces_pk', ['keyid', 'nonce'])
    .execute();
  await db.schema.createIndex('nonces_expiry').on('nonces').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['nonces', 'refusals', 'access_log']) await db.schema.dropTable(table).execute();
}
