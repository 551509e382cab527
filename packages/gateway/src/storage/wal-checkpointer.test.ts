import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import { afterEach, describe, expect, it } from 'vitest';
import { inThreadExecutor } from './sqlite-executor.ts';
import { startWalCheckpointer } from './wal-checkpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function durableFile() {
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-checkpoint-'));
  dirs.push(dir);
  const file = join(dir, 'log.db');
  const opened = openDatabase(`sqlite:${file}`, { durable: true });
  if (!opened.sqlite) throw new Error('expected SQLite');
  return { file, sqlite: opened.sqlite, close: opened.close };
}

const until = async (check: () => boolean, ms: number) => {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
};

describe('the WAL checkpoint, off the event loop', () => {
  it('the committing connection never checkpoints; a worker thread moves the WAL into the database', async () => {
    const { file, sqlite, close } = durableFile();
    const executor = inThreadExecutor(sqlite);
    try {
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      executor.commit([{ sql: 'create table t (v blob)', params: [] }]);
      // 4 MB in the WAL: past SQLite's own 1000-page threshold, so without a checkpointer somewhere the
      // database file would stay at its first pages.
      for (let i = 0; i < 32; i++)
        executor.commit(
          Array.from({ length: 32 }, () => ({ sql: 'insert into t values (?)', params: [Buffer.alloc(4000)] })),
        );
      await executor.flush();
      expect(await until(() => statSync(file).size > 4_000_000, 10_000)).toBe(true);
      expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 1024 });
    } finally {
      await executor.close();
      await close();
    }
  });

  it('when its thread cannot run, the connection checkpoints itself again and the operator hears why', async () => {
    const { sqlite, close } = durableFile();
    const reports: string[] = [];
    const checkpointer = startWalCheckpointer(sqlite, join(tmpdir(), 'no-such-folder', 'log.db'), {
      report: (message) => reports.push(message),
    });
    try {
      expect(await until(() => reports.length > 0, 10_000)).toBe(true);
      expect(reports[0]).toMatch(/background WAL checkpoint stopped/);
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      await checkpointer.stop();
      await close();
    }
  });
});
