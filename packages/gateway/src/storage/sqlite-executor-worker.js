// The SQLite writer thread of the gateway (see sqlite-executor.ts): one connection to the database
// file, statements run in one transaction per message. Plain JavaScript so that it needs no loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const statements = new Map();
let mode;
const run = db.transaction((ops) =>
  ops.map((op) => {
    let statement = statements.get(op.sql);
    if (!statement) {
      statement = db.prepare(op.sql);
      statements.set(op.sql, statement);
    }
    return statement.run(...op.params).changes;
  }),
);

parentPort.on('message', ({ id, ops, synchronous }) => {
  try {
    const wanted = synchronous === 'NORMAL' ? 'NORMAL' : 'FULL';
    if (mode !== wanted) {
      db.pragma(`synchronous = ${wanted}`);
      mode = wanted;
    }
    parentPort.postMessage({ id, changes: run(ops) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
