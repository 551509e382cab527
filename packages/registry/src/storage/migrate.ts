import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { DEFAULT_GROUP_ID } from '../domain/contract-terms.ts';
import * as initial from './migrations/2026-11-23T0100-registry-initial.ts';
import * as searchParameters from './migrations/2026-12-02T0100-registry-search-parameters.ts';
import * as organisationContact from './migrations/2026-12-03T0100-registry-organisation-contact.ts';
import * as introspection from './migrations/2026-12-05T0100-registry-identity-provider-introspection.ts';
import * as serviceDescription from './migrations/2026-12-06T0100-registry-service-description.ts';
import * as autorisatieQuota from './migrations/2026-12-07T0100-registry-autorisatie-quota.ts';
import { contractsMigration } from './migrations/2026-12-09T0100-registry-contracts.ts';
import * as changeActor from './migrations/2026-12-10T0100-registry-change-actor.ts';
import * as serviceBetrokkene from './migrations/2026-12-11T0100-registry-service-betrokkene.ts';
import * as witnesses from './migrations/2026-12-12T0100-registry-witnesses.ts';
import * as changeCheckpoints from './migrations/2026-12-14T0100-registry-change-checkpoints.ts';
import { isPostgres } from './open-database.ts';

/** The database holds a schema newer than this version knows: its start stops (exit 2), nothing is changed. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

/** The migrations recorded in `table`, in order; none when the table does not exist yet. */
async function executedMigrations(db: Kysely<unknown>, table: string, schema: string | undefined): Promise<string[]> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === table && (schema === undefined || t.schema === schema))) return [];
  const rows = await sql<{
    name: string;
  }>`select name from ${sql.table(schema ? `${schema}.${table}` : table)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Brings a schema up to date with code migrations (names are timestamps, so they sort), in its own
 * migration table, so that several components can share one database, and returns its version (the
 * last migration's name). A schema with migrations this version does not know (a newer release
 * migrated it) is a `SchemaError` naming what it found and what it knows, before anything is changed.
 * Throws on any other failure.
 *
 * @example
 * const version = await runMigrations(db, gatewayMigrations, 'gateway');
 */
export async function runMigrations(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  name: string,
): Promise<string> {
  // On PostgreSQL the migration tables are looked up in the connection's own schema: the migrator's
  // check for them otherwise sees another schema's table of the same name (several components, or
  // test suites, sharing one server) and then fails to find it in its own.
  const schema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
    migrationTableName: `${name}_migrations`,
    migrationLockTableName: `${name}_migrations_lock`,
  });
  const known = Object.keys(migrations).sort();
  const latest = known.at(-1) ?? '(none)';
  const unknown = (await executedMigrations(db, `${name}_migrations`, schema)).filter((m) => !known.includes(m));
  if (unknown.length > 0)
    throw new SchemaError(
      `the ${name} database schema is newer than this version knows: found migration ${unknown.join(', ')}, this version knows up to ${latest}; run the newer release (or restore a backup made by this one)`,
    );
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`${name} migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  return latest;
}

/**
 * The registry's migrations, in order. `groupId` is the registry's FSC group (setting GROUP_ID): the
 * contracts the autorisaties of an existing registry become are made in it.
 */
export function registryMigrationsFor(options: { groupId?: string } = {}): Record<string, Migration> {
  return {
    '2026-11-23T0100-registry-initial': initial,
    '2026-12-02T0100-registry-search-parameters': searchParameters,
    '2026-12-03T0100-registry-organisation-contact': organisationContact,
    '2026-12-05T0100-registry-identity-provider-introspection': introspection,
    '2026-12-06T0100-registry-service-description': serviceDescription,
    '2026-12-07T0100-registry-autorisatie-quota': autorisatieQuota,
    '2026-12-09T0100-registry-contracts': contractsMigration(options.groupId ?? DEFAULT_GROUP_ID),
    '2026-12-10T0100-registry-change-actor': changeActor,
    '2026-12-11T0100-registry-service-betrokkene': serviceBetrokkene,
    '2026-12-12T0100-registry-witnesses': witnesses,
    '2026-12-14T0100-registry-change-checkpoints': changeCheckpoints,
  };
}

/** The registry's migrations, in order, for a registry in the default group. */
export const registryMigrations: Record<string, Migration> = registryMigrationsFor();

/** Brings the registry's schema up to date and returns its version. Run on start-up and by `migrate`. */
export const migrateRegistry = (db: Kysely<unknown>, options: { groupId?: string } = {}) =>
  runMigrations(db, registryMigrationsFor(options), 'registry');
