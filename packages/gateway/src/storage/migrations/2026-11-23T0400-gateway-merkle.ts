import type { Kysely } from 'kysely';

/**
 * The verifiable log (RFC 9162 style), one tree per gateway instance (`log_id`):
 * - merkle_leaves: every access record's leaf, by position, written in the record's own transaction;
 * - merkle_nodes: the hash of every perfect subtree of height ≥ 1, stored once when it completes, so
 *   that any proof needs O(log n) stored hashes read in one query, never a pass over the leaves;
 * - merkle_heads: the signed tree heads, kept.
 * Hashes are base64 text (same in SQLite and PostgreSQL, and as the proofs show them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('merkle_leaves')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('leaf_index', 'bigint', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('merkle_leaves_pk', ['log_id', 'leaf_index'])
    .execute();
  await db.schema.createIndex('merkle_leaves_record').on('merkle_leaves').column('record_id').unique().execute();
  await db.schema
    .createTable('merkle_nodes')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('node_index', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('merkle_nodes_pk', ['log_id', 'level', 'node_index'])
    .execute();
  await db.schema
    .createTable('merkle_heads')
    .addColumn('log_id', 'text', (c) => c.notNull())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('merkle_heads_pk', ['log_id', 'tree_size'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['merkle_heads', 'merkle_nodes', 'merkle_leaves']) await db.schema.dropTable(table).execute();
}
