import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** The tables rebuilt, each with its columns, its primary key and its other indexes (as the earlier migrations made them). */
const TABLES = [
  {
    name: 'merkle_leaves',
    columns: 'log_id text not null, leaf_index bigint not null, record_id text not null, leaf_hash text not null',
    key: 'constraint merkle_leaves_pk primary key (log_id, leaf_index)',
    indexes: ['create unique index merkle_leaves_record on merkle_leaves (record_id)'],
  },
  {
    name: 'merkle_nodes',
    columns: 'log_id text not null, level integer not null, node_index bigint not null, hash text not null',
    key: 'constraint merkle_nodes_pk primary key (log_id, level, node_index)',
    indexes: [],
  },
  {
    name: 'nonces',
    columns: 'keyid text not null, nonce text not null, expires_at bigint not null',
    key: 'constraint nonces_pk primary key (keyid, nonce)',
    indexes: ['create index nonces_expiry on nonces (expires_at)'],
  },
] as const;

async function rebuild(db: Kysely<unknown>, rowid: boolean): Promise<void> {
  for (const table of TABLES) {
    const columns = table.columns
      .split(', ')
      .map((c) => c.split(' ')[0])
      .join(', ');
    await sql
      .raw(`create table ${table.name}_rebuilt (${table.columns}, ${table.key})${rowid ? '' : ' without rowid'}`)
      .execute(db);
    await sql
      .raw(`insert into ${table.name}_rebuilt (${columns}) select ${columns} from ${table.name} order by 1, 2`)
      .execute(db);
    await sql.raw(`drop table ${table.name}`).execute(db);
    await sql.raw(`alter table ${table.name}_rebuilt rename to ${table.name}`).execute(db);
    for (const index of table.indexes) await sql.raw(index).execute(db);
  }
}

/**
 * SQLite only (issue 31): `merkle_leaves`, `merkle_nodes` and `nonces` become WITHOUT ROWID tables,
 * stored in the B-tree of their primary key. A rowid table keeps its rows in one B-tree and the
 * primary key in another; every append of the log wrote both, for each leaf, each completed node and
 * each nonce claim. Now it writes one: about three B-tree inserts fewer per request (a leaf, on
 * average one node and a nonce: five instead of eight outside `access_log`). The rows are small and only ever found by their key, where WITHOUT ROWID is
 * also the faster read. Every row is copied; the names of the keys and indexes stay.
 *
 * `access_log_transaction` goes: no query reads access records by their FSC transaction id (the
 * Logboek API filters by trace id, time, activity and subject; the timeline only shows the column),
 * and its random key cost a page of its own in every commit.
 * PostgreSQL has no rowid and keeps its indexes: nothing changes there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await rebuild(db, false);
  await db.schema.dropIndex('access_log_transaction').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await rebuild(db, true);
  await db.schema.createIndex('access_log_transaction').on('access_log').column('transaction_id').execute();
}
