import { type Kysely, sql } from 'kysely';

/**
 * Issue 30: the witnesses the directory lists and the quorum readers require. An existing registry
 * lists none (quorum 0): its readers accept heads as before, and say they are not witnessed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('witnesses')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('vkey', 'text', (c) => c.notNull().unique())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('operator', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('witness_policy')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('quorum', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The one row every change of the witnesses updates first: concurrent changes take turns on it, so
  // that no two of them each keep a majority that together they break.
  await sql`insert into witness_policy (id, quorum, updated_at) values (1, 0, ${new Date().toISOString()})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('witness_policy').execute();
  await db.schema.dropTable('witnesses').execute();
}
