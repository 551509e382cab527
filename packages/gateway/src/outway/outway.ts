import { createLogger, failureReporter, type Logger } from '@poortwachter/operations';
import { snapshotHistory } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import { openLog } from '../log/open-log.ts';
import { createPseudonymiser, createSubjectPseudonyms, logKeyId } from '../log/pseudonym.ts';
import type { WitnessingOptions } from '../log/witnessing.ts';
import type { CallerQuotas } from '../pipeline/quota.ts';
import { fetchSourceClient, nodeSourceClient } from '../pipeline/source-client.ts';
import { reportLogKeyRecords } from '../repositories/log-key-records.ts';
import type { AccessLogStore } from '../storage/access-log-store.ts';
import type { SqliteHandle } from '../storage/sqlite-executor.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import type { AdminTokenHashes } from './admin-token.ts';
import { migrateOutway } from './migrate.ts';
import { createOutwayApp } from './outway-app.ts';
import type { OutwayDatabase } from './tables.ts';

export interface OutwayConfig {
  /** The afnemer this outway signs for. */
  readonly organisationOin: string;
  /** The afnemer's private key (registered in the registry). */
  readonly privateKey: JWK;
  /** Where applications and log readers reach this outway. */
  readonly publicUrl: string;
  readonly instanceId: string;
  readonly database: {
    readonly db: Kysely<OutwayDatabase>;
    readonly sqlite?: SqliteHandle & { readonly name?: string; readonly memory?: boolean };
  };
  readonly directory: DirectoryProvider;
  /** The key of the outway's own BSN pseudonyms (not the inway's: the two logs are not linkable by subject). */
  readonly logKey: Uint8Array;
  /** Log keys of before a rotation: the readers still find the records pseudonymised under them. */
  readonly previousLogKeys?: readonly Uint8Array[];
  /** SHA-256 hashes (hex) of the tokens that may register applications; a function is asked at every request (tokens added or revoked without a restart). */
  readonly adminTokenHashes: AdminTokenHashes;
  /** Call the inways through this `fetch` instead of the keep-alive HTTP client (tests). */
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly headIntervalMs?: number;
  readonly now?: () => number;
  readonly wrapStore?: (store: AccessLogStore) => AccessLogStore;
  /** The operational log (JSON lines; default one for `outway` on stdout). */
  readonly logger?: Logger;
  /** `GET /metrics` in the Prometheus text format (the server entry's telemetry). */
  readonly metrics?: () => Promise<string>;
  /** Per-caller quotas: each application by its id (`quotasFromSettings`); none: nothing is limited. */
  readonly quotas?: CallerQuotas;
  /** How the directory's witnesses are reached and retried (tests); they are always asked when listed. */
  readonly witnesses?: Omit<WitnessingOptions, 'directory' | 'logger'>;
}

export type Outway = Awaited<ReturnType<typeof createOutway>>;

/**
 * The one composition root of an outway instance: migrates its schema, opens its verifiable log
 * (its tree heads signed with the afnemer's key) and builds the app.
 *
 * @example
 * const outway = await createOutway({ organisationOin, privateKey, publicUrl, instanceId, database, directory, logKey, adminTokenHashes });
 * serve({ fetch: outway.app.fetch, port: 8304 });
 */
export async function createOutway(config: OutwayConfig) {
  const { db } = config.database;
  await migrateOutway(db as Kysely<unknown>);
  // The log's tables are the gateway's: the log code sees the outway's database as a gateway database.
  const logDb = db as unknown as Kysely<GatewayDatabase>;
  const logger = config.logger ?? createLogger('outway');
  const keyId = logKeyId(config.logKey);
  const opened = await openLog({
    report: failureReporter(logger),
    database: { db: logDb, ...(config.database.sqlite ? { sqlite: config.database.sqlite } : {}) },
    instanceId: config.instanceId,
    signingKey: config.privateKey,
    logKeyId: keyId,
    ...(config.headIntervalMs ? { headIntervalMs: config.headIntervalMs } : {}),
    ...(config.wrapStore ? { wrapStore: config.wrapStore } : {}),
    owner: () => config.organisationOin,
    witnessing: { ...config.witnesses, directory: config.directory, logger },
  });
  const app = createOutwayApp({
    organisationOin: config.organisationOin,
    privateKey: config.privateKey,
    publicUrl: config.publicUrl,
    db,
    directory: config.directory,
    post: config.fetch ? fetchSourceClient(config.fetch) : nodeSourceClient(),
    log: opened.log,
    refusals: opened.refusals,
    nonces: opened.nonces,
    pseudonymise: createPseudonymiser(config.logKey),
    pseudonymsOf: createSubjectPseudonyms(config.logKey, config.previousLogKeys),
    instanceId: config.instanceId,
    adminTokenHashes: config.adminTokenHashes,
    reads: {
      db: logDb,
      history: snapshotHistory(() => config.directory.current().snapshot),
      signHeads: opened.signHeads,
    },
    readiness: opened.readiness,
    logger,
    ...(config.metrics ? { metrics: config.metrics } : {}),
    ...(config.now ? { now: config.now } : {}),
    ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.maxResponseBytes ? { maxResponseBytes: config.maxResponseBytes } : {}),
    ...(config.quotas ? { quotas: config.quotas } : {}),
  });
  // During a log-key rotation: whether records under each previous key remain (in the background).
  const keyCheck = reportLogKeyRecords(logDb, keyId, (config.previousLogKeys ?? []).map(logKeyId), logger);
  return {
    ...opened,
    db,
    app,
    async close() {
      await keyCheck;
      await opened.close();
    },
  };
}
