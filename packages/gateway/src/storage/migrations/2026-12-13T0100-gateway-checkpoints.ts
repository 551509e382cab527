import type { Kysely } from 'kysely';

/**
 * Witnessed tree heads (issue 30):
 * - `merkle_heads.checkpoint`: beside each signed JWS head, the same size and root as a C2SP checkpoint
 *   (a signed note by the same key, named by the log's origin `poortwachter/log/<OIN>/<logId>`); null
 *   for heads signed before this migration and for a provider whose key is not Ed25519;
 * - `merkle_cosignatures`: the witnesses' cosignatures collected for a head, one note signature line
 *   per witness and head. A head's cosigned checkpoint is its checkpoint with these lines added.
 * A nullable column and a new table: the same on SQLite and PostgreSQL, nothing rewritten.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merkle_heads').addColumn('checkpoint', 'text').execute();
  await db.schema
    .createTable('merkle_cosignatures')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('merkle_cosignatures_pk', ['log_id', 'tree_size', 'witness'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('merkle_cosignatures').execute();
  await db.schema.alterTable('merkle_heads').dropColumn('checkpoint').execute();
}
