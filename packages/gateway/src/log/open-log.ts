import { randomUUID } from 'node:crypto';
import type { BatchObservableResult } from '@opentelemetry/api';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { gatewayMeter, gatewayMetrics } from '../pipeline/metrics.ts';
import { type AccessLogStore, createAccessLogStore, type LogWrite } from '../storage/access-log-store.ts';
import { createNonceStore, type NonceClaim } from '../storage/nonce-store.ts';
import { inThreadExecutor, type SqliteHandle } from '../storage/sqlite-executor.ts';
import { createSqliteNonceStore } from '../storage/sqlite-stores.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { BatchQueue, type GroupCommitter } from './group-commit.ts';
import { createLogCommitter } from './log-committer.ts';
import { createLogHealth } from './log-health.ts';
import { createLogWriter } from './log-writer.ts';
import { headOf, loadTree } from './merkle/merkle-store.ts';
import { startTreeHeads } from './merkle/tree-heads.ts';
import {
  type ConfirmedRollback,
  confirmationOf,
  type PublishedHead,
  publishedHeads,
  type Rollback,
  rollbackOf,
} from './published-head.ts';
import { createRefusalRecorder, type FailureReport } from './refusal-recorder.ts';
import { startWitnessing, type WitnessingOptions } from './witnessing.ts';

export interface OpenLogOptions {
  /** The log's database (already migrated); on SQLite with its handle, for the prepared-statement stores. */
  readonly database: {
    readonly db: Kysely<GatewayDatabase>;
    readonly sqlite?: SqliteHandle & { readonly name?: string; readonly memory?: boolean };
  };
  /** The id of this instance's Merkle log. */
  readonly instanceId: string;
  /** Signs the tree heads (the bronhouder's key on an inway, the afnemer's on an outway). */
  readonly signingKey: JWK;
  readonly headIntervalMs?: number;
  /** The id of the log key the records' pseudonyms are made with (logKeyId), stored on each record's row. */
  readonly logKeyId?: string;
  /** Wraps the access-log store (tests inject failures with it). */
  readonly wrapStore?: (store: AccessLogStore) => AccessLogStore;
  /** Where background failures go (the server's rate-limited operational log; default stderr). */
  readonly report?: FailureReport;
  /**
   * The folder where the newest published head is remembered outside the database (see
   * publishedHeads), and the operator's confirmations of a rollback (`<size>:<root>`, CONFIRM_ROLLBACK_TO).
   * Without it nothing is remembered and no rollback is detected.
   */
  readonly publishedHeads?: { readonly dir: string; readonly confirm?: readonly string[] };
  /**
   * The OIN of the log's owner (the bronhouder, the afnemer), asked when a head is signed: names the
   * origin of the C2SP checkpoint signed beside it. Without it heads get no checkpoint.
   */
  readonly owner?: () => string | undefined;
  /** Collect the directory's witnesses' cosignatures of the newest checkpoint, in the background. */
  readonly witnessing?: WitnessingOptions;
}

/** An open verifiable log: what an inway and an outway both write their records and refusals to. */
export type OpenLog = Awaited<ReturnType<typeof openLog>>;

/**
 * The verifiable log of one instance: the stores (prepared statements on SQLite, Kysely on
 * PostgreSQL), the group-committed writer with this instance's Merkle tree and signed heads, the
 * refusal recorder and the nonce claims of signed requests.
 */
export async function openLog(options: OpenLogOptions) {
  const { db, sqlite } = options.database;
  // On SQLite: statements run inline on the main connection; a log batch is made durable by an
  // fdatasync of the WAL on libuv's thread pool before anyone is answered, so the event loop keeps going.
  const report: FailureReport = options.report ?? ((message, error) => console.error(`gateway: ${message}`, error));
  const executor = sqlite ? inThreadExecutor(sqlite, { report }) : undefined;
  const health = createLogHealth(report);
  const tracked = (real: AccessLogStore): AccessLogStore => {
    const wrapped = options.wrapStore ? options.wrapStore(real) : real;
    return {
      writeBatch: (writes, merkle) => {
        gatewayMetrics().batchSize.record(writes.length);
        return health.track('log', () => wrapped.writeBatch(writes, merkle));
      },
    };
  };
  const tree = await loadTree(db, options.instanceId);
  const { rollback, confirmedRollback, remember } = await guardRollback(db, tree, options.publishedHeads);
  // SQLite: one writer for nonce claims and records (log-writer.ts). PostgreSQL: two group-committed
  // queues, each its own transaction (its commits are not on the event loop, and it has no WAL to flush).
  const writer = executor
    ? createLogWriter({ executor, tree, logKeyId: options.logKeyId ?? null, store: tracked, health })
    : undefined;
  const nonceStore = executor ? createSqliteNonceStore(executor) : createNonceStore(db);
  const log: GroupCommitter<LogWrite, void> =
    writer?.log ??
    createLogCommitter(tracked(createAccessLogStore(db, options.logKeyId ?? null)), tree, {
      reloadTree: () => loadTree(db, options.instanceId),
    });
  const nonces: GroupCommitter<NonceClaim, boolean> =
    writer?.nonces ?? new BatchQueue((claims) => health.track('nonces', () => nonceStore.claim(claims)));
  const refusals = createRefusalRecorder(log, { report });
  const witnesses = options.witnessing
    ? startWitnessing({ ...options.witnessing, db, logId: tree.logId, signingKey: options.signingKey })
    : undefined;
  const heads = await startTreeHeads({
    db,
    tree,
    report,
    signingKey: options.signingKey,
    ...(options.headIntervalMs ? { intervalMs: options.headIntervalMs } : {}),
    ...(remember ? { remember } : {}),
    held: () => rollback !== undefined,
    ...(options.owner ? { owner: options.owner } : {}),
    ...(witnesses ? { signed: () => witnesses.notify() } : {}),
  });
  // A head signed before this start (or by an older version) may still wait for its cosignatures.
  witnesses?.notify();
  const purge = setInterval(() => void nonceStore.purgeExpired(Date.now()).catch(() => undefined), 60_000);
  purge.unref();

  // For /metrics: the Merkle log's size and signed size, and the batch waiting to be written.
  const meter = gatewayMeter();
  const merkleSize = meter.createObservableGauge('poortwachter.log.merkle.tree_size', {
    unit: '{leaf}',
    description: "Leaves in this instance's Merkle log, and how many of them a signed tree head covers",
  });
  const pendingGauge = meter.createObservableGauge('poortwachter.log.pending', {
    unit: '{write}',
    description: 'Writes waiting for the next group commit',
  });
  const writableGauge = meter.createObservableGauge('poortwachter.log.writable', {
    description: '1 when the last write to the log database succeeded, 0 when it failed',
  });
  const observe = (result: BatchObservableResult) => {
    const attributes = { log_id: tree.logId };
    const status = heads.status();
    result.observe(merkleSize, status.tree_size, { ...attributes, state: 'committed' });
    result.observe(merkleSize, status.signed_size, { ...attributes, state: 'signed' });
    result.observe(pendingGauge, log.pending + nonces.pending, attributes);
    result.observe(writableGauge, health.writable ? 1 : 0, attributes);
  };
  meter.addBatchObservableCallback(observe, [merkleSize, pendingGauge, writableGauge]);

  return {
    db,
    log,
    refusals,
    nonces,
    tree,
    heads,
    /** The witness collector of this log (undefined without witnessing). */
    witnesses,
    /** Set when the database's log does not extend the head published before: the gateway must not serve. */
    rollback,
    /** Set when this start took an operator's confirmation of a rollback (CONFIRM_ROLLBACK_TO). */
    confirmedRollback,
    /** Writes the counted refusals and the pending batch, then signs a head over all of it. */
    async signHeads() {
      await refusals.flush();
      await log.drain();
      return heads.signNow();
    },
    health,
    /**
     * Whether the log can be written, and the Merkle log's state (for /readyz). A probe claims a
     * throw-away nonce (a real write to the same database, expiring at once): a full disk, a
     * read-only file or a database that went away shows here even when no request is coming in, and
     * the first write that succeeds again makes the log writable.
     */
    async readiness() {
      try {
        await nonces.submit({ keyid: 'poortwachter-readiness-probe', nonce: randomUUID(), expiresAt: Date.now() });
      } catch {
        // recorded in health by the committer
      }
      return {
        logWritable: health.writable,
        ...(health.failure ? { logFailure: health.failure } : {}),
        merkle: heads.status(),
        ...(rollback ? { rollback: rollback.message } : {}),
        ...(witnesses ? { witnesses: witnesses.status() } : {}),
      };
    },
    /** Writes every pending nonce claim, counted refusal and log batch. */
    async drain() {
      await nonces.drain();
      await refusals.flush();
      await log.drain();
    },
    /** Stops the background work, writes what is pending and signs a last head. */
    async close() {
      clearInterval(purge);
      meter.removeBatchObservableCallback(observe, [merkleSize, pendingGauge, writableGauge]);
      await nonces.drain();
      await refusals.stop();
      await log.drain();
      try {
        await heads.stop();
      } finally {
        await witnesses?.stop();
        await executor?.close();
      }
    },
  };
}

/**
 * Compares the log as stored with the head remembered as published: a rollback unless the operator
 * confirmed exactly this stored state (then it becomes the reference, the confirmation recorded in the
 * file). With no head remembered yet, the database's newest signed head becomes the reference.
 */
async function guardRollback(
  db: Kysely<GatewayDatabase>,
  tree: Awaited<ReturnType<typeof loadTree>>,
  options: OpenLogOptions['publishedHeads'],
): Promise<{ rollback?: Rollback; confirmedRollback?: ConfirmedRollback; remember?: (head: PublishedHead) => void }> {
  if (!options) return {};
  const heads = publishedHeads(options.dir);
  const remember = (head: PublishedHead) => heads.remember(head);
  const published = heads.read(tree.logId);
  if (!published) {
    const newest = await headOf(db, tree.logId, {});
    if (newest) heads.remember(newest);
    return { remember };
  }
  const rollback = await rollbackOf(db, tree, published);
  if (!rollback) return { remember };
  if (options.confirm?.includes(confirmationOf(rollback.stored))) {
    return { confirmedRollback: heads.confirm(rollback), remember };
  }
  return { rollback, remember };
}
