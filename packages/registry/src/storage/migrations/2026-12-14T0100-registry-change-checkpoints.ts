import type { Kysely } from 'kysely';

/**
 * Issue 30, the registry's change log witnessed:
 * - `registry_change_heads`: each signed head of the change log, its JWS (`poortwachter-tree-head+jws`)
 *   and beside it the C2SP checkpoint of the same size and root (origin `poortwachter/registry/changes`,
 *   signed by the registry key), one row per size;
 * - `registry_change_cosignatures`: the witnesses' cosignatures collected for a head, one note
 *   signature line per witness and head.
 * New tables only: the same on SQLite and PostgreSQL, nothing rewritten. Heads were signed on demand
 * before and never kept: the first head after this migration is the log as it is then.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_change_heads')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('checkpoint', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_change_cosignatures')
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_change_cosignatures_pk', ['tree_size', 'witness'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('registry_change_cosignatures').execute();
  await db.schema.dropTable('registry_change_heads').execute();
}
