import { type RegistryHistory, snapshotHistory } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { DirectoryProvider } from './directory/directory-provider.ts';
import { createGatewayApp } from './http/app.ts';
import { GroupCommitter } from './log/group-commit.ts';
import { createLogCommitter } from './log/log-committer.ts';
import { loadTree } from './log/merkle/merkle-store.ts';
import { startTreeHeads } from './log/merkle/tree-heads.ts';
import { createPseudonymiser } from './log/pseudonym.ts';
import { createRefusalRecorder } from './log/refusal-recorder.ts';
import type { SourceOptions } from './pipeline/forward.ts';
import { type AccessLogStore, createAccessLogStore, type LogWrite } from './storage/access-log-store.ts';
import { migrateGateway } from './storage/migrate.ts';
import { createNonceStore, type NonceClaim } from './storage/nonce-store.ts';
import { inThreadExecutor, type SqliteHandle } from './storage/sqlite-executor.ts';
import { createSqliteAccessLogStore, createSqliteNonceStore } from './storage/sqlite-stores.ts';
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
  /** The registry's history for the coverage report (default: the directory snapshot alone). */
  readonly history?: RegistryHistory;
  readonly now?: () => number;
  readonly maxBodyBytes?: number;
  /** How often a new tree head is signed when the log grew (default 1000 ms). */
  readonly headIntervalMs?: number;
  /** Wraps the access-log store (tests inject failures with it). */
  readonly wrapStore?: (store: AccessLogStore) => AccessLogStore;
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
  const { db, sqlite } = config.database;
  await migrateGateway(db as Kysely<unknown>);
  // On SQLite: statements run inline on the main connection; a log batch is made durable by an
  // fdatasync of the WAL on libuv's thread pool before anyone is answered, so the event loop keeps going.
  const writer = sqlite ? inThreadExecutor(sqlite) : undefined;
  const realStore = writer ? createSqliteAccessLogStore(writer) : createAccessLogStore(db);
  const store = config.wrapStore ? config.wrapStore(realStore) : realStore;
  const tree = await loadTree(db, config.instanceId);
  const log: GroupCommitter<LogWrite, void> = createLogCommitter(store, tree);
  const refusals = createRefusalRecorder(log);
  const heads = await startTreeHeads({
    db,
    tree,
    signingKey: config.signingKey,
    ...(config.headIntervalMs ? { intervalMs: config.headIntervalMs } : {}),
  });
  const nonceStore = writer ? createSqliteNonceStore(writer) : createNonceStore(db);
  const nonces = new GroupCommitter<NonceClaim, boolean>((claims) => nonceStore.claim(claims));
  const purge = setInterval(() => void nonceStore.purgeExpired(Date.now()).catch(() => undefined), 60_000);
  purge.unref();

  /** Writes the counted refusals and the pending batch, then signs a head over all of it. */
  const signHeads = async () => {
    await refusals.flush();
    await log.drain();
    return heads.signNow();
  };
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
    ...(config.now ? { now: config.now } : {}),
    ...(config.maxBodyBytes === undefined ? {} : { maxBodyBytes: config.maxBodyBytes }),
    reads: {
      db,
      history: config.history ?? snapshotHistory(() => config.directory.current().snapshot),
      signHeads,
    },
    readiness: async () => {
      let logWritable = true;
      try {
        await db.selectFrom('access_log').select('id').limit(1).execute();
      } catch {
        logWritable = false;
      }
      return { logWritable, merkle: heads.status() };
    },
  });

  return {
    app,
    db,
    log,
    refusals,
    nonces,
    tree,
    heads,
    signHeads,
    /** Writes every pending nonce claim, counted refusal and log batch. */
    async drain() {
      await nonces.drain();
      await refusals.flush();
      await log.drain();
    },
    /** Stops the background work, writes what is pending and signs a last head. */
    async close() {
      clearInterval(purge);
      await nonces.drain();
      await refusals.stop();
      await log.drain();
      await heads.stop();
      await writer?.close();
    },
  };
}
