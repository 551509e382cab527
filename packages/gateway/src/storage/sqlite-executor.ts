import { type FileHandle, open } from 'node:fs/promises';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.ts';

/** One statement with its parameters. */
export interface SqliteOp {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Runs statements in one SQLite transaction and returns each statement's number of changed rows.
 * `synchronous` is set for that transaction: FULL (fsync on commit) or NORMAL (survives a process
 * crash; made durable by the next FULL commit).
 */
export interface SqliteExecutor {
  transaction(ops: readonly SqliteOp[], synchronous: 'FULL' | 'NORMAL'): Promise<number[]>;
  /**
   * Commits the statements in one transaction now, on this thread (`synchronous = NORMAL`: survives a
   * crash of the process, not yet a power cut), returning each statement's changed rows.
   */
  commit(ops: readonly SqliteOp[]): number[];
  /** Makes everything committed before this call durable: an fdatasync of the WAL on libuv's pool. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The part of a better-sqlite3 handle the in-thread executor uses. */
export interface SqliteHandle {
  prepare(sql: string): { run(...params: unknown[]): { changes: number } };
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  pragma(source: string): unknown;
}

function runOps(handle: SqliteHandle, cache: Map<string, ReturnType<SqliteHandle['prepare']>>) {
  return handle.transaction((ops: readonly SqliteOp[]) =>
    ops.map((op) => {
      let statement = cache.get(op.sql);
      if (!statement) {
        statement = handle.prepare(op.sql);
        cache.set(op.sql, statement);
      }
      return statement.run(...op.params).changes;
    }),
  );
}

/**
 * Runs the statements on the caller's thread. A FULL (durable) transaction is committed with
 * `synchronous = NORMAL` (in WAL mode: frames written, not yet flushed) and then made durable by an
 * fdatasync of the WAL file on libuv's thread pool, which is what SQLite's FULL does, except that the
 * event loop keeps serving requests during the flush. The promise resolves only after the flush.
 * `:memory:` databases (tests) have nothing to flush. A file's WAL is checkpointed by a worker thread
 * (wal-checkpointer.ts), not inside the commits on the event loop; `report` hears when that stops.
 */
export function inThreadExecutor(
  handle: SqliteHandle & { readonly name?: string; readonly memory?: boolean },
  options: { readonly report?: (message: string, error?: unknown) => void } = {},
): SqliteExecutor {
  const run = runOps(handle, new Map());
  handle.pragma('synchronous = NORMAL');
  const walPath = handle.memory || !handle.name || handle.name === ':memory:' ? undefined : `${handle.name}-wal`;
  const checkpointer: WalCheckpointer | undefined =
    walPath && handle.name ? startWalCheckpointer(handle, handle.name, options) : undefined;
  let wal: Promise<FileHandle> | undefined;
  const flush = async () => {
    if (!walPath) return;
    wal ??= open(walPath, 'r+');
    try {
      await (await wal).datasync();
    } catch (error) {
      // Close the handle and open a fresh one next time; this commit fails (nothing is released).
      const failed = wal;
      wal = undefined;
      await failed?.then((handle) => handle.close()).catch(() => undefined);
      throw error;
    }
  };
  return {
    commit: (ops) => run(ops),
    flush,
    async transaction(ops, synchronous) {
      const changes = run(ops);
      if (synchronous === 'FULL') await flush();
      return changes;
    },
    async close() {
      await checkpointer?.stop();
      await (await wal)?.close();
    },
  };
}
