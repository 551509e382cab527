import type { LogEntry } from '@poortwachter/protocol';
import { type AccessLogStore, type LogWrite, loggedRefusal } from '../storage/access-log-store.ts';
import type { NonceClaim } from '../storage/nonce-store.ts';
import type { SqliteExecutor, SqliteOp } from '../storage/sqlite-executor.ts';
import { accessLogOps, nonceClaimOps } from '../storage/sqlite-stores.ts';
import type { CommitStats, GroupCommitter } from './group-commit.ts';
import type { LogHealth } from './log-health.ts';
import type { MerkleAppend, MerkleTree } from './merkle/merkle-log.ts';

interface Pending<In, Out> {
  readonly item: In;
  readonly at: number;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

/** A turn's records whose transaction committed, waiting for an fdatasync that started after it. */
interface Committed {
  resolve(): void;
  reject(error: unknown): void;
}

export interface LogWriterOptions {
  /** The log database's connection (in-thread SQL, fdatasync of the WAL on libuv's pool). */
  readonly executor: Pick<SqliteExecutor, 'commit' | 'flush'>;
  /** This instance's Merkle tree: it moves only once a batch is durable. */
  readonly tree?: MerkleTree;
  readonly logKeyId: string | null;
  /**
   * Wraps the records' store (metrics, health, tests injecting failures). The store it is handed adds
   * the batch's statements to the turn's transaction and resolves once they are durable; it must be
   * called synchronously (an `async` wrapper may call it before its first `await`).
   */
  readonly store?: (real: AccessLogStore) => AccessLogStore;
  /** Told when nonce claims commit or fail (records report through `store`). */
  readonly health?: Pick<LogHealth, 'succeeded' | 'failed'>;
  readonly maxBatch?: number;
}

const entriesOf = (writes: readonly LogWrite[]) =>
  writes.flatMap((w): LogEntry[] =>
    'accessRecords' in w
      ? w.accessRecords.map(({ id, record }) => ({ id, record }))
      : [{ id: w.refusal.id, refusal: loggedRefusal(w.refusal) }],
  );

function figures() {
  let batches = 0;
  let items = 0;
  const ms: Record<string, number> = {};
  return {
    batch(size: number) {
      batches++;
      items += size;
    },
    add(name: string, value: number) {
      ms[name] = (ms[name] ?? 0) + value;
    },
    stats(counts: Record<string, number> = {}): CommitStats {
      const averages: Record<string, number> = {};
      for (const [name, total] of Object.entries(ms)) {
        const over = name === 'syncMs' ? counts.syncs : batches;
        averages[`average${name[0]?.toUpperCase()}${name.slice(1)}`] = over ? total / over : 0;
      }
      return {
        batches,
        items,
        averageBatch: batches ? items / batches : 0,
        averageCommitMs: averages.averageCommitMs ?? 0,
        ...averages,
        ...counts,
      };
    },
  };
}

/**
 * The one writer of an instance's log on SQLite. Nonce claims of new requests and the records and
 * refusals of finished ones share one queue: each event-loop turn that has work commits one
 * transaction holding all of it. A claim is answered at that commit (`synchronous = NORMAL`: it
 * survives a crash of the process, so a replay is refused, and the database's primary key lets one
 * instance win); records are answered only after an fdatasync of the WAL that started after their
 * commit, so nothing is released before it is durable.
 *
 * Pipelined: while batch n's fdatasync runs on libuv's pool, batch n+1 commits its SQL on the event
 * loop; the next fdatasync starts as soon as the previous one ends and covers every batch committed
 * before it started, so a request waits for at most the flush in flight and its own. Records that
 * arrive while one committed batch already waits for the next flush join the batch after it (they
 * could not be flushed any sooner, and a bigger batch costs less per record). A failed fdatasync fails
 * every batch it was to cover and every batch committed while it ran (its pages may be among those
 * the failed flush dropped); nobody of those is answered. The Merkle tree moves when a batch is
 * durable; the next batch is prepared on the newest committed one (what the database holds).
 *
 * @example
 * const writer = createLogWriter({ executor: inThreadExecutor(sqlite), tree, logKeyId });
 * if (!(await writer.nonces.submit(claim))) refuse('replayedNonce');
 * await writer.log.submit({ accessRecords }); // durable
 */
export function createLogWriter(options: LogWriterOptions): {
  readonly log: GroupCommitter<LogWrite, void>;
  readonly nonces: GroupCommitter<NonceClaim, boolean>;
  drain(): Promise<void>;
} {
  const { executor, tree, health } = options;
  const maxBatch = options.maxBatch ?? 1000;
  const claims: Pending<NonceClaim, boolean>[] = [];
  const writes: Pending<LogWrite, void>[] = [];
  let scheduled = false;
  let syncing: Promise<void> | undefined;
  let syncs = 0;
  let uncovered: Committed[] = [];
  // The newest append whose rows committed: the tree as the database holds it, ahead of the durable tree.
  let chain: MerkleAppend | undefined;
  // Open while a turn builds its transaction: where the real store puts the records' statements.
  let turn: { ops: SqliteOp[]; durable: Promise<void>; settle: Committed } | undefined;
  const logFigures = figures();
  const nonceFigures = figures();
  // Set by a failed fdatasync. The kernel may have dropped the WAL pages it could not write, and a
  // later fdatasync that succeeds would not bring them back: every frame after such a hole is lost at
  // a power cut, so a record "made durable" later would not be. The writer then refuses every claim
  // and record until the process restarts (as PostgreSQL stops on a failed fsync).
  let broken: Error | undefined;

  const real: AccessLogStore = {
    writeBatch(batch, merkle) {
      if (!turn) return Promise.reject(new Error("the log's store was called outside the log writer's turn"));
      for (const op of accessLogOps(batch, merkle, options.logKeyId)) turn.ops.push(op);
      return turn.durable;
    },
  };
  const store = options.store ? options.store(real) : real;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // Let the requests of this event-loop turn join the transaction before it is written.
    setImmediate(runTurn);
  };

  const startFlush = () => {
    if (syncing || uncovered.length === 0) return;
    const covered = uncovered;
    uncovered = [];
    const started = performance.now();
    syncs++;
    syncing = executor
      .flush()
      .then(
        () => {
          logFigures.add('syncMs', performance.now() - started);
          for (const batch of covered) batch.resolve();
        },
        (error: unknown) => {
          broken ??= new Error(
            `the log's WAL could not be made durable (${error instanceof Error ? error.message : String(error)}); nothing more is written or released until the gateway restarts`,
            { cause: error },
          );
          health?.failed('log', broken);
          const during = uncovered;
          uncovered = [];
          for (const batch of [...covered, ...during]) batch.reject(error);
        },
      )
      .finally(() => {
        syncing = undefined;
        startFlush();
        if (writes.length > 0) schedule();
      });
  };

  function runTurn() {
    scheduled = false;
    const started = performance.now();
    const takenClaims = claims.splice(0);
    const takenWrites = uncovered.length > 0 ? [] : writes.splice(0, maxBatch);
    if (takenClaims.length === 0 && takenWrites.length === 0) return;
    if (broken) {
      for (const p of [...takenClaims, ...takenWrites]) p.reject(broken);
      if (claims.length > 0 || writes.length > 0) schedule();
      return;
    }
    const ops = nonceClaimOps(takenClaims.map((p) => p.item));
    for (const p of takenClaims) nonceFigures.add('waitMs', (started - p.at) / takenClaims.length);
    let records: Promise<void> | undefined;
    let append: MerkleAppend | undefined;
    let open: NonNullable<typeof turn> | undefined;
    if (takenWrites.length > 0) {
      const items = takenWrites.map((p) => p.item);
      for (const p of takenWrites) logFigures.add('waitMs', (started - p.at) / takenWrites.length);
      const entries = tree ? entriesOf(items) : [];
      append = tree && entries.length > 0 ? (chain ? chain.next(entries) : tree.prepare(entries)) : undefined;
      let settle: Committed = { resolve: () => undefined, reject: () => undefined };
      const durable = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
      durable.catch(() => undefined);
      open = { ops: [], durable, settle };
      turn = open;
      try {
        records = store.writeBatch(items, append);
      } catch (error) {
        records = Promise.reject(error);
      } finally {
        turn = undefined;
      }
      for (const op of open.ops) ops.push(op);
    }
    const sqlStarted = performance.now();
    let changes: number[];
    try {
      changes = ops.length > 0 ? executor.commit(ops) : [];
    } catch (error) {
      open?.settle.reject(error);
      if (takenClaims.length > 0) health?.failed('nonces', error);
      for (const p of takenClaims) p.reject(error);
      changes = [];
    }
    const committed = performance.now();
    if (changes.length === ops.length) {
      if (takenClaims.length > 0) {
        nonceFigures.batch(takenClaims.length);
        nonceFigures.add('commitMs', committed - started);
        health?.succeeded('nonces');
        for (const [i, p] of takenClaims.entries()) p.resolve(changes[i] === 1);
      }
      // The records' statements are in the database only if the store put them in this transaction.
      if (open && open.ops.length > 0) {
        if (append) chain = append;
        uncovered.push(open.settle);
        startFlush();
      }
    }
    if (records) {
      logFigures.batch(takenWrites.length);
      logFigures.add('sqlMs', committed - sqlStarted);
      records.then(
        () => {
          append?.commit();
          logFigures.add('commitMs', performance.now() - started);
          for (const p of takenWrites) p.resolve();
        },
        (error: unknown) => {
          for (const p of takenWrites) p.reject(error);
        },
      );
    }
    if (claims.length > 0 || (writes.length > 0 && uncovered.length === 0)) schedule();
  }

  const lane = <In, Out>(queue: Pending<In, Out>[], stats: () => CommitStats): GroupCommitter<In, Out> => ({
    submit(item) {
      return new Promise<Out>((resolve, reject) => {
        queue.push({ item, at: performance.now(), resolve, reject });
        schedule();
      });
    },
    drain,
    get pending() {
      return queue.length;
    },
    get stats() {
      return stats();
    },
  });

  async function drain(): Promise<void> {
    while (claims.length > 0 || writes.length > 0 || scheduled || syncing || uncovered.length > 0) {
      await (syncing ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  return {
    log: lane(writes, () => logFigures.stats({ syncs })),
    nonces: lane(claims, () => nonceFigures.stats()),
    drain,
  };
}
