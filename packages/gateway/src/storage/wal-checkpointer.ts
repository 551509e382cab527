import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What the worker thread runs: its own connection to the same file, a PASSIVE checkpoint every interval. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// A checkpoint syncs the WAL before it copies pages into the database and the database after: nothing
// committed becomes less durable by being moved.
db.pragma('synchronous = FULL');
let failures = 0;
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (error) {
    // SQLITE_BUSY (another process's checkpoint, a long reader) is normal: the next interval tries again.
    if (error && error.code === 'SQLITE_BUSY') return;
    if (++failures === 3) parentPort.postMessage({ failed: String((error && error.message) || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Runs a last checkpoint and stops the thread. */
  stop(): Promise<void>;
}

/** The part of a better-sqlite3 handle the checkpointer needs. */
interface CheckpointedHandle {
  pragma(source: string): unknown;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop. By default the connection that commits runs a
 * checkpoint inside every commit that finds the WAL past 1000 pages: it copies those pages into the
 * database file and syncs both files, on the event loop, while every request waits (measured on the log's
 * write path: 30 µs of the event loop's 165 µs per record, and the log's latency spikes). Here the
 * committing connection never checkpoints (`wal_autocheckpoint = 0`) and a worker thread with its own
 * connection checkpoints every `intervalMs` (PASSIVE: it never blocks a writer or a reader). If the
 * thread cannot run, the connection checkpoints itself again, as before, and `report` says why.
 */
export function startWalCheckpointer(
  handle: CheckpointedHandle,
  file: string,
  options: { intervalMs?: number; report?: (message: string, error?: unknown) => void } = {},
): WalCheckpointer {
  const report = options.report ?? ((message, error) => console.error(`gateway: ${message}`, error ?? ''));
  let fellBack = false;
  const fallBack = (why: string, error?: unknown) => {
    if (fellBack) return;
    fellBack = true;
    try {
      handle.pragma('wal_autocheckpoint = 1000');
    } catch {
      // the connection is already closed: nothing left to checkpoint on it
    }
    report(`the background WAL checkpoint stopped (${why}); the log's connection checkpoints itself again`, error);
  };
  handle.pragma('wal_autocheckpoint = 0');
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        intervalMs: options.intervalMs ?? 250,
      },
    });
  } catch (error) {
    fallBack('its thread did not start', error);
    return { stop: async () => {} };
  }
  let stopping = false;
  worker.unref();
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed) fallBack('checkpoints failed three times', message.failed);
  });
  worker.on('error', (error) => fallBack('its thread failed', error));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => {
    if (!stopping) fallBack('its thread exited');
  });
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Held open while it finishes (unref'd, it would not keep a process alive that waits for it).
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
