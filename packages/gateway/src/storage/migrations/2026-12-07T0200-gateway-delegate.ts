import type { Kysely } from 'kysely';

/** The citizen's timeline index as the reads migration made it, with the delegate added at its end. */
const TIMELINE_COLUMNS = [
  'data_subject_id',
  'start_time',
  'id',
  'foreign_processor',
  'processing_activity_id',
  'processing_activity_version',
  'transaction_id',
  'released_fields',
];

/**
 * Delegation (issue 28): a record of a delegate's call names the gemeente responsible in
 * `dpl.core.foreign_operation.processor` and the delegate in `poortwachter.delegate_oin`; its copy
 * `delegate_oin` is one of the columns an auditor checks against the proven record. Rows from before
 * stay null, which is what their records say (no delegate). The citizen's timeline shows the delegate,
 * so its covering index gains the column (on PostgreSQL the partitioned table's index is rebuilt on
 * every month's partition).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_log').addColumn('delegate_oin', 'text').execute();
  await db.schema.dropIndex('access_log_subject_time_id').execute();
  await db.schema
    .createIndex('access_log_subject_time_id')
    .on('access_log')
    .columns([...TIMELINE_COLUMNS, 'delegate_oin'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('access_log_subject_time_id').execute();
  await db.schema.createIndex('access_log_subject_time_id').on('access_log').columns(TIMELINE_COLUMNS).execute();
  await db.schema.alterTable('access_log').dropColumn('delegate_oin').execute();
}
