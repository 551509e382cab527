import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { type AccessLogStore, createAccessLogStore, type LogWrite } from '../storage/access-log-store.ts';
import { createNonceStore, type NonceClaim } from '../storage/nonce-store.ts';
import { inThreadExecutor, type SqliteHandle } from '../storage/sqlite-executor.ts';
import { createSqliteAccessLogStore, createSqliteNonceStore } from '../storage/sqlite-stores.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { GroupCommitter } from './group-commit.ts';
import { createLogCommitter } from './log-committer.ts';
import { loadTree } from './merkle/merkle-store.ts';
import { startTreeHeads } from './merkle/tree-heads.ts';
import { createRefusalRecorder } from './refusal-recorder.ts';

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
  /** Wraps the access-log store (tests inject failures with it). */
  readonly wrapStore?: (store: AccessLogStore) => AccessLogStore;
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
  const writer = sqlite ? inThreadExecutor(sqlite) : undefined;
  const realStore = writer ? createSqliteAccessLogStore(writer) : createAccessLogStore(db);
  const store = options.wrapStore ? options.wrapStore(realStore) : realStore;
  const tree = await loadTree(db, options.instanceId);
  const log: GroupCommitter<LogWrite, void> = createLogCommitter(store, tree, {
    reloadTree: () => loadTree(db, options.instanceId),
  });
  const refusals = createRefusalRecorder(log);
  const heads = await startTreeHeads({
    db,
    tree,
    signingKey: options.signingKey,
    ...(options.headIntervalMs ? { intervalMs: options.headIntervalMs } : {}),
  });
  const nonceStore = writer ? createSqliteNonceStore(writer) : createNonceStore(db);
  const nonces = new GroupCommitter<NonceClaim, boolean>((claims) => nonceStore.claim(claims));
  const purge = setInterval(() => void nonceStore.purgeExpired(Date.now()).catch(() => undefined), 60_000);
  purge.unref();

  return {
    db,
    log,
    refusals,
    nonces,
    tree,
    heads,
    /** Writes the counted refusals and the pending batch, then signs a head over all of it. */
    async signHeads() {
      await refusals.flush();
      await log.drain();
      return heads.signNow();
    },
    /** Whether the log's table answers, and the Merkle log's state (for /readyz). */
    async readiness() {
      let logWritable = true;
      try {
        await db.selectFrom('access_log').select('id').limit(1).execute();
      } catch {
        logWritable = false;
      }
      return { logWritable, merkle: heads.status() };
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
      await nonces.drain();
      await refusals.stop();
      await log.drain();
      await heads.stop();
      await writer?.close();
    },
  };
}
