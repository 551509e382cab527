import type { Kysely } from 'kysely';

/**
 * The afnemer's applications that call the outway: each with the SHA-256 of its API key (the key
 * itself is shown once, at registration) and the verwerkingsactiviteiten it may use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outway_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('processing_activities', 'text', (c) => c.notNull())
    .addColumn('default_processing_activity', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outway_applications').execute();
}
