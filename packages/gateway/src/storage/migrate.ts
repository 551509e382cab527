import { type Kysely, type Migration, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-23T0200-gateway-initial.ts';

export const gatewayMigrations: Record<string, Migration> = {
  '2026-11-23T0200-gateway-initial': initial,
};

/** Brings the gateway's schema up to date; run on start-up. Its own migration table, so a gateway may share a database. */
export async function migrateGateway(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => gatewayMigrations },
    migrationTableName: 'gateway_migrations',
    migrationLockTableName: 'gateway_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`gateway migration ${failed?.migrationName ?? ''} failed`, { cause: error });
}
