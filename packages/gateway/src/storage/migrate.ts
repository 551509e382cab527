import { runMigrations } from '@poortwachter/registry';
import type { Kysely, Migration } from 'kysely';
import * as initial from './migrations/2026-11-23T0200-gateway-initial.ts';
import * as reads from './migrations/2026-11-23T0300-gateway-reads.ts';
import * as merkle from './migrations/2026-11-23T0400-gateway-merkle.ts';
import * as provenColumns from './migrations/2026-12-02T0200-gateway-proven-columns.ts';
import * as coverageJobs from './migrations/2026-12-02T0300-gateway-coverage-jobs.ts';
import * as retention from './migrations/2026-12-03T0200-gateway-retention.ts';
import * as logKeyId from './migrations/2026-12-06T0200-gateway-log-key-id.ts';
import * as delegate from './migrations/2026-12-07T0200-gateway-delegate.ts';
import * as terugmeldingen from './migrations/2026-12-11T0100-gateway-terugmeldingen.ts';
import * as berichten from './migrations/2026-12-11T0200-gateway-berichten.ts';
import * as checkpoints from './migrations/2026-12-13T0100-gateway-checkpoints.ts';
import * as withoutRowid from './migrations/2026-12-14T0100-gateway-without-rowid.ts';

export const gatewayMigrations: Record<string, Migration> = {
  '2026-11-23T0200-gateway-initial': initial,
  '2026-11-23T0300-gateway-reads': reads,
  '2026-11-23T0400-gateway-merkle': merkle,
  '2026-12-02T0200-gateway-proven-columns': provenColumns,
  '2026-12-02T0300-gateway-coverage-jobs': coverageJobs,
  '2026-12-03T0200-gateway-retention': retention,
  '2026-12-06T0200-gateway-log-key-id': logKeyId,
  '2026-12-07T0200-gateway-delegate': delegate,
  '2026-12-11T0100-gateway-terugmeldingen': terugmeldingen,
  '2026-12-11T0200-gateway-berichten': berichten,
  '2026-12-13T0100-gateway-checkpoints': checkpoints,
  '2026-12-14T0100-gateway-without-rowid': withoutRowid,
};

/** Brings the gateway's schema up to date; run on start-up. Its own migration table, so a gateway may share a database. */
export const migrateGateway = (db: Kysely<unknown>) => runMigrations(db, gatewayMigrations, 'gateway');
