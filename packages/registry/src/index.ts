/** @poortwachter/registry: storage, admin API and signed directory of the poortwachter registry. */

export {
  createDirectoryPublisher,
  type DirectoryPublisher,
  readSnapshot,
  type SignedDirectory,
} from './directory/publisher.ts';
export { DEFAULT_GROUP_ID, DEMO_GROUP_ID } from './domain/contract-terms.ts';
export { toPublicJwk } from './domain/public-jwk.ts';
export type { Interval } from './domain/time.ts';
export { createRegistryApp, type RegistryAppOptions } from './http/app.ts';
export { REQUEST_SCHEMAS, type RequestSchemaName } from './http/schemas.ts';
export type { ContractTrust, ContractView } from './repositories/contracts.ts';
export { ensureAdminToken } from './server/admin-token-file.ts';
export { bindHost, isLoopback, urlHost } from './server/bind-host.ts';
export { dataDir, workspaceRoot } from './server/data-dir.ts';
export { generatePrivateJwk, type KeyType, loadOrCreateKey, publicJwkOf, writeSecretFile } from './server/key-files.ts';
export { asksForHelp, maintenanceHelp } from './server/maintenance-help.ts';
export { type SeedOptions, seedDemoRegistry } from './server/seed-demo.ts';
export { dataDirSetting, registrySettings } from './server/settings.ts';
export { type BackupSummary, backupCommand, backupSqlite, describeBackup } from './storage/backup-database.ts';
export type { RegistryDatabase } from './storage/database.ts';
export {
  migrateRegistry,
  registryMigrations,
  registryMigrationsFor,
  runMigrations,
  SchemaError,
} from './storage/migrate.ts';
export { type Dialect, type OpenedDatabase, openDatabase } from './storage/open-database.ts';
