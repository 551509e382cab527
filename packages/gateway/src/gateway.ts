import type { BatchObservableResult } from '@opentelemetry/api';
import { createLogger, failureReporter, type Logger } from '@poortwachter/operations';
import { type RegistryHistory, snapshotHistory } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from './directory/directory-provider.ts';
import { createGatewayApp } from './http/app.ts';
import { openLog } from './log/open-log.ts';
import { createPseudonymiser, createSubjectPseudonyms, logKeyId } from './log/pseudonym.ts';
import { startRetention } from './log/retention.ts';
import type { WitnessingOptions } from './log/witnessing.ts';
import { type NoticeConfig, startNotices } from './notice/notice-job.ts';
import type { SourceOptions } from './pipeline/forward.ts';
import { gatewayMeter } from './pipeline/metrics.ts';
import type { CallerQuotas } from './pipeline/quota.ts';
import { reportLogKeyRecords } from './repositories/log-key-records.ts';
import type { AccessLogStore } from './storage/access-log-store.ts';
import { migrateGateway } from './storage/migrate.ts';
import type { SqliteHandle } from './storage/sqlite-executor.ts';
import type { GatewayDatabase } from './storage/tables.ts';

export interface GatewayConfig {
  /** The service this gateway serves (`brp-personen`). */
  readonly serviceId: string;
  /** This instance: the id of its Merkle log, so every instance on one database needs its own. */
  readonly instanceId: string;
  /** The gateway's database (SQLite or PostgreSQL); on SQLite with its handle, for the prepared-statement stores. */
  readonly database: {
    readonly db: Kysely<GatewayDatabase>;
    readonly sqlite?: SqliteHandle & { readonly name?: string; readonly memory?: boolean };
  };
  readonly directory: DirectoryProvider;
  readonly source: SourceOptions;
  /** The bronhouder's private key: signs responses and tree heads. */
  readonly signingKey: JWK;
  /** The key of the BSN pseudonyms (HMAC); losing it makes the log unreadable by subject. */
  readonly logKey: Uint8Array;
  /** Log keys of before a rotation: the readers still find the records pseudonymised under them. */
  readonly previousLogKeys?: readonly Uint8Array[];
  /** The registry's history for the coverage report (default: the directory snapshot alone). */
  readonly history?: RegistryHistory;
  readonly now?: () => number;
  readonly maxBodyBytes?: number;
  /** How often a new tree head is signed when the log grew (default 1000 ms). */
  readonly headIntervalMs?: number;
  /** Wraps the access-log store (tests inject failures with it). */
  readonly wrapStore?: (store: AccessLogStore) => AccessLogStore;
  /** The operational log (JSON lines; default one for `gateway` on stdout). */
  readonly logger?: Logger;
  /** `GET /metrics` in the Prometheus text format (the server entry's `startTelemetry().prometheus`). */
  readonly metrics?: () => Promise<string>;
  /** Per-caller quotas (`quotasFromSettings`, `callerQuotas`); none: nothing is limited. */
  readonly quotas?: CallerQuotas;
  /** How often the retention purge runs (default daily); 0 never, when another instance on the database does it. */
  readonly retentionIntervalMs?: number;
  /**
   * Where the newest published tree head is remembered outside the database, and the operator's
   * confirmations of a rollback (CONFIRM_ROLLBACK_TO); see openLog. Without it no rollback is detected.
   */
  readonly publishedHeads?: { readonly dir: string; readonly confirm?: readonly string[] };
  /** E-mail notices of new accesses to subscribed citizens (README: Notices); none: `/inzage/v1/berichten` answers 503. */
  readonly notices?: NoticeConfig;
  /** How the directory's witnesses are reached and retried (tests); they are always asked when listed. */
  readonly witnesses?: Omit<WitnessingOptions, 'directory' | 'logger'>;
}

/** A running gateway instance: its app and the parts a server entry, a test or a benchmark needs. */
export type Gateway = Awaited<ReturnType<typeof createGateway>>;

/**
 * The one composition root of a gateway instance: migrates its schema, builds the stores (prepared
 * statements on SQLite, Kysely on PostgreSQL), the group-committed log with this instance's Merkle tree
 * and signed heads, the nonce claims, and the app. `drain` writes everything pending; `close` stops
 * the background work and drains (the caller closes the database it opened).
 *
 * @example
 * const gateway = await createGateway({ serviceId, instanceId, database: openDatabase(url, { durable: true }), directory, source: { url }, signingKey, logKey });
 * serve({ fetch: gateway.app.fetch, port: 8302 });
 */
export async function createGateway(config: GatewayConfig) {
  const { db } = config.database;
  await migrateGateway(db as Kysely<unknown>);
  const logger = config.logger ?? createLogger('gateway');
  const report = failureReporter(logger);
  const keyId = logKeyId(config.logKey);
  const opened = await openLog({
    report,
    database: config.database,
    instanceId: config.instanceId,
    signingKey: config.signingKey,
    logKeyId: keyId,
    ...(config.headIntervalMs ? { headIntervalMs: config.headIntervalMs } : {}),
    ...(config.wrapStore ? { wrapStore: config.wrapStore } : {}),
    ...(config.publishedHeads ? { publishedHeads: config.publishedHeads } : {}),
    owner: () => providerOf(config.directory, config.serviceId),
    witnessing: { ...config.witnesses, directory: config.directory, logger },
  });
  const { log, refusals, nonces } = opened;
  if (opened.rollback) {
    const { published, stored } = opened.rollback;
    logger.error({ log_id: opened.tree.logId, published, stored, event: 'log_rolled_back' }, opened.rollback.message);
  }
  if (opened.confirmedRollback) {
    const { from, to } = opened.confirmedRollback;
    logger.warn(
      { log_id: opened.tree.logId, from, to, event: 'log_rollback_confirmed' },
      `log ${opened.tree.logId}: the operator confirmed the rollback from size ${from.tree_size} (root ${from.root_hash}) to size ${to.tree_size} (root ${to.root_hash}); serving from it, recorded in the published head's file`,
    );
  }
  // During a log-key rotation: whether records under each previous key remain (in the background).
  const keyCheck = reportLogKeyRecords(db, keyId, (config.previousLogKeys ?? []).map(logKeyId), logger);
  const now = config.now ?? Date.now;
  const retention = startRetention({
    db,
    activities: () =>
      config.directory.status().serial === undefined
        ? undefined
        : config.directory.current().processingActivities.values(),
    ...(config.retentionIntervalMs === undefined ? {} : { intervalMs: config.retentionIntervalMs }),
    now,
    logger,
    report,
  });
  const notices = config.notices
    ? startNotices({
        ...config.notices,
        db,
        directory: config.directory,
        serviceId: config.serviceId,
        now,
        logger,
        report,
      })
    : undefined;
  const app = createGatewayApp({
    serviceId: config.serviceId,
    instanceId: config.instanceId,
    directory: config.directory,
    source: config.source,
    log,
    refusals,
    nonces,
    signingKey: config.signingKey,
    pseudonymise: createPseudonymiser(config.logKey),
    pseudonymsOf: createSubjectPseudonyms(config.logKey, config.previousLogKeys),
    ...(config.now ? { now: config.now } : {}),
    ...(config.maxBodyBytes === undefined ? {} : { maxBodyBytes: config.maxBodyBytes }),
    reads: {
      db,
      history: config.history ?? snapshotHistory(() => config.directory.current().snapshot),
      signHeads: opened.signHeads,
      notices: notices !== undefined,
    },
    readiness: opened.readiness,
    ...(opened.rollback
      ? {
          rolledBack:
            `Het logboek is teruggezet naar een oudere stand (grootte ${opened.rollback.stored.tree_size}, ` +
            `gepubliceerd was ${opened.rollback.published.tree_size}). De beheerder moet dit eerst bevestigen.`,
        }
      : {}),
    logger,
    ...(config.metrics ? { metrics: config.metrics } : {}),
    ...(config.quotas ? { quotas: config.quotas } : {}),
  });
  // For /metrics: how old the verified directory is, and whether it is fresh enough to serve.
  const meter = gatewayMeter();
  const age = meter.createObservableGauge('poortwachter.directory.age', {
    unit: 's',
    description: 'Age of the verified directory snapshot (since the registry signed it)',
  });
  const serial = meter.createObservableGauge('poortwachter.directory.serial', {
    description: 'Serial of the verified directory snapshot',
  });
  const observe = (result: BatchObservableResult) => {
    const status = config.directory.status();
    if (status.ageSeconds !== undefined) result.observe(age, status.ageSeconds, { fresh: String(status.fresh) });
    if (status.serial !== undefined) result.observe(serial, status.serial);
  };
  meter.addBatchObservableCallback(observe, [age, serial]);
  return {
    ...opened,
    app,
    /** Runs the retention purge now (as if at `at`): what left the access log, and which months went whole. */
    purgeExpired: (at?: number) => retention.runNow(at),
    /** Runs the notice job now (as if at `at`); undefined without notices or before there is a directory. */
    sendNotices: async (at?: number) => notices?.runNow(at),
    async close() {
      meter.removeBatchObservableCallback(observe, [age, serial]);
      await retention.stop();
      await notices?.stop();
      await keyCheck;
      await opened.close();
    },
  };
}

/** The OIN of the service's provider in the directory now (undefined before there is one). */
function providerOf(directory: DirectoryProvider, serviceId: string): string | undefined {
  if (directory.status().serial === undefined) return undefined;
  try {
    return directory.current().services.get(serviceId)?.providerOin;
  } catch {
    return undefined;
  }
}
