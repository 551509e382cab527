import type { Kysely } from 'kysely';

/**
 * Log-key rotation (issue 27): each access record (and each note of a purged one) keeps the id of the
 * log key that made its subject's pseudonym (`log_key_id`, see logKeyId), so that an operator can see
 * whether records under a previous key remain before dropping it. Rows written before this migration
 * stay null: their key is the one that was current then, whose id was not kept.
 *
 * Outside the record: the column is not in the record's JSON nor in its Merkle leaf, nor among the
 * columns an auditor checks against the record (ACCESS_RECORD_COLUMNS). A nullable column without a
 * default is a change of the catalogue only, on SQLite and on PostgreSQL, where adding it to the
 * partitioned `access_log` adds it to every month's partition.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['access_log', 'access_log_purged']) {
    await db.schema.alterTable(table).addColumn('log_key_id', 'text').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['access_log', 'access_log_purged']) {
    await db.schema.alterTable(table).dropColumn('log_key_id').execute();
  }
}
