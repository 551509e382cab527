import { runMigrations } from '@poortwachter/registry';
import type { Kysely, Migration } from 'kysely';
import { migrateGateway } from '../storage/migrate.ts';
import * as applications from './migrations/2026-12-03T0100-outway-applications.ts';
import * as certificates from './migrations/2026-12-03T0200-outway-application-certificates.ts';

export const outwayMigrations: Record<string, Migration> = {
  '2026-12-03T0100-outway-applications': applications,
  '2026-12-03T0200-outway-application-certificates': certificates,
};

/**
 * The log's schema (the gateway's migrations) and the outway's own tables, each in its migration
 * table; returns both versions (`gateway <name>, outway <name>`).
 */
export async function migrateOutway(db: Kysely<unknown>): Promise<string> {
  const log = await migrateGateway(db);
  const own = await runMigrations(db, outwayMigrations, 'outway');
  return `gateway ${log}, outway ${own}`;
}
