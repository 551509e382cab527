import { type Kysely, type Migration, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-23T0100-registry-initial.ts';

/** The registry's migrations, in order; names are timestamps so they sort. */
export const registryMigrations: Record<string, Migration> = {
  '2026-11-23T0100-registry-initial': initial,
};

/**
 * Brings the schema up to date. Run on start-up by the composition root.
 *
 * @example
 * await migrateRegistry(db);
 */
export async function migrateRegistry(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => registryMigrations },
    migrationTableName: 'registry_migrations',
    migrationLockTableName: 'registry_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`registry migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
