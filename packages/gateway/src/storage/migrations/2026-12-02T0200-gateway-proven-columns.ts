import { type Kysely, sql } from 'kysely';

/**
 * Every column a report reads is proven (issue 10, item 5):
 * - access_log rows and refusal rows say where they sit in the verifiable log (`log_id`,
 *   `leaf_index`), so a report can be computed on exactly the records of the signed heads it names,
 *   and an auditor can recompute it from the proven entries;
 * - refusals become leaves of the log too (their columns are their record), and gain `count`, so that
 *   refusals of callers nobody identified are one row per minute and reason, not one per request.
 * Existing access rows take their position from merkle_leaves; existing refusals stay outside the log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['access_log', 'refusals']) {
    await db.schema.alterTable(table).addColumn('log_id', 'text').execute();
    await db.schema.alterTable(table).addColumn('leaf_index', 'bigint').execute();
  }
  await db.schema
    .alterTable('refusals')
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`update access_log set
      log_id = (select l.log_id from merkle_leaves l where l.record_id = access_log.id),
      leaf_index = (select l.leaf_index from merkle_leaves l where l.record_id = access_log.id)`.execute(db);

  // The report's indexes also cover the position, so that bounding it by the heads reads no row.
  await db.schema.dropIndex('access_log_coverage').execute();
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
      'log_id',
      'leaf_index',
    ])
    .execute();
  await db.schema.dropIndex('access_log_time_subject').execute();
  await db.schema
    .createIndex('access_log_time_subject')
    .on('access_log')
    .columns(['start_time', 'data_subject_id', 'log_id', 'leaf_index'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('access_log_time_subject').execute();
  await db.schema
    .createIndex('access_log_time_subject')
    .on('access_log')
    .columns(['start_time', 'data_subject_id'])
    .execute();
  await db.schema.dropIndex('access_log_coverage').execute();
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
  await db.schema.alterTable('refusals').dropColumn('count').execute();
  for (const table of ['access_log', 'refusals']) {
    await db.schema.alterTable(table).dropColumn('leaf_index').execute();
    await db.schema.alterTable(table).dropColumn('log_id').execute();
  }
}
