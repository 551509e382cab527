import { type Kysely, sql } from 'kysely';

/**
 * Indexes for the readers of the log (issue 4), chosen for 10 million records on SQLite:
 * - the citizen's timeline walks one subject newest first with a keyset cursor on (start_time, id),
 *   and the index also holds every column the citizen's view is made of, so a page is one index
 *   range and never a row lookup: at 10 million records (25 GB on SQLite, more than this machine's
 *   memory) row lookups were what made the slowest pages slow;
 * - the auditor's coverage report aggregates one (afnemer, processing activity) over a period; the
 *   index covers every column it reads (version, released fields, subject), so the report never
 *   touches the 1.3 KB record JSON. `released_fields` is a copy of the record's
 *   `poortwachter.released_fields` for that reason.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('access_log')
    .addColumn('released_fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  // Existing rows get their copy from the record (few: this runs once, before the log grows).
  const rows = await sql<{ id: string; record: string }>`select id, record from access_log`.execute(db);
  for (const row of rows.rows) {
    const record = JSON.parse(row.record) as { attributes?: Record<string, unknown> };
    const fields = JSON.stringify(record.attributes?.['poortwachter.released_fields'] ?? []);
    await sql`update access_log set released_fields = ${fields} where id = ${row.id}`.execute(db);
  }
  await db.schema.dropIndex('access_log_subject_time').execute();
  await db.schema.dropIndex('access_log_processor_activity_time').execute();
  await db.schema
    .createIndex('access_log_subject_time_id')
    .on('access_log')
    .columns([
      'data_subject_id',
      'start_time',
      'id',
      'foreign_processor',
      'processing_activity_id',
      'processing_activity_version',
      'transaction_id',
      'released_fields',
    ])
    .execute();
  await db.schema
    .createIndex('access_log_coverage')
    .on('access_log')
    .columns([
      'foreign_processor',
      'processing_activity_id',
      'start_time',
      'processing_activity_version',
      'released_fields',
      'data_subject_id',
    ])
    .execute();
  // The report's totals: distinct subjects over the whole period, from the index alone.
  await db.schema.dropIndex('access_log_time').execute();
  await db.schema
    .createIndex('access_log_time_subject')
    .on('access_log')
    .columns(['start_time', 'data_subject_id'])
    .execute();
  await db.schema.createIndex('refusals_time').on('refusals').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('refusals_time').execute();
  await db.schema.dropIndex('access_log_time_subject').execute();
  await db.schema.createIndex('access_log_time').on('access_log').column('start_time').execute();
  await db.schema.dropIndex('access_log_coverage').execute();
  await db.schema.dropIndex('access_log_subject_time_id').execute();
  await db.schema
    .createIndex('access_log_processor_activity_time')
    .on('access_log')
    .columns(['foreign_processor', 'processing_activity_id', 'start_time'])
    .execute();
  await db.schema
    .createIndex('access_log_subject_time')
    .on('access_log')
    .columns(['data_subject_id', 'start_time'])
    .execute();
  await db.schema.alterTable('access_log').dropColumn('released_fields').execute();
}
