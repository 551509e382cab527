import { type Kysely, type Migration, Migrator, PostgresAdapter, sql } from 'kysely';
import * as initial from './migrations/2026-11-23T0100-registry-initial.ts';
import * as searchParameters from './migrations/2026-12-02T0100-registry-search-parameters.ts';
import * as organisationContact from './migrations/2026-12-03T0100-registry-organisation-contact.ts';
import * as introspection from './migrations/2026-12-05T0100-registry-identity-provider-introspection.ts';
import * as serviceDescription from './migrations/2026-12-06T0100-registry-service-description.ts';
import * as autorisatieQuota from './migrations/2026-12-07T0100-registry-autorisatie-quota.ts';

/**
 * Brings a schema up to date with code migrations (names are timestamps, so they sort), in its own
 * migration table, so that several components can share one database. Throws on any failure.
 *
 * @example
 * await runMigrations(db, gatewayMigrations, 'gateway');
 */
export async function runMigrations(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  name: string,
): Promise<void> {
  // On PostgreSQL the migration tables are looked up in the connection's own schema: the migrator's
  // check for them otherwise sees another schema's table of the same name (several components, or
  // test suites, sharing one server) and then fails to find it in its own.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
    migrationTableName: `${name}_migrations`,
    migrationLockTableName: `${name}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`${name} migration ${failed?.migrationName ?? ''} failed`, { cause: error });
}

/** The registry's migrations, in order. */
export const registryMigrations: Record<string, Migration> = {
  '2026-11-23T0100-registry-initial': initial,
  '2026-12-02T0100-registry-search-parameters': searchParameters,
  '2026-12-03T0100-registry-organisation-contact': organisationContact,
  '2026-12-05T0100-registry-identity-provider-introspection': introspection,
  '2026-12-06T0100-registry-service-description': serviceDescription,
  '2026-12-07T0100-registry-autorisatie-quota': autorisatieQuota,
};

/** Brings the registry's schema up to date. Run on start-up by the composition root. */
export const migrateRegistry = (db: Kysely<unknown>) => runMigrations(db, registryMigrations, 'registry');
