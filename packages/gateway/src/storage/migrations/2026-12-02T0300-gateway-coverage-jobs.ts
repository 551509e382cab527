import type { Kysely } from 'kysely';

/**
 * Coverage reports are jobs in the database, not in one instance's memory: behind a load balancer the
 * poll for a job may land on any instance sharing the database. The instance that runs a job writes
 * its progress (`updated_at` doubles as its heartbeat) and finally the report or the error.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('coverage_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_oin', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('progress', 'text', (c) => c.notNull())
    .addColumn('report', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('coverage_jobs_created').on('coverage_jobs').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('coverage_jobs').execute();
}
