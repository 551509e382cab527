import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateGateway } from '../storage/migrate.ts';
import { inThreadExecutor } from '../storage/sqlite-executor.ts';
import { createSqliteNonceStore } from '../storage/sqlite-stores.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { sampleAccessRecord } from '../testing/sample-record.ts';
import { turns, watch } from '../testing/settling.ts';
import { createLogWriter } from './log-writer.ts';
import { loadTree } from './merkle/merkle-store.ts';

const record = (id: string) => sampleAccessRecord(id);

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openFile(file: string) {
  const opened = openDatabase<GatewayDatabase>(`sqlite:${file}`, { durable: true });
  await migrateGateway(opened.db as Kysely<unknown>);
  const sqlite = opened.sqlite;
  if (!sqlite) throw new Error('expected a SQLite handle');
  const executor = inThreadExecutor(sqlite);
  closers.push(async () => {
    await executor.close();
    await opened.close();
  });
  return { opened, sqlite, executor };
}

/** A writer on a real SQLite file whose fdatasyncs wait until the test lets each one finish (or fail). */
async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-writer-'));
  dirs.push(dir);
  const { opened, sqlite, executor } = await openFile(join(dir, 'gateway.db'));
  const flushes: { finish(): void; fail(error: Error): void }[] = [];
  const tree = await loadTree(opened.db, 'log-1');
  const writer = createLogWriter({
    executor: {
      commit: executor.commit,
      flush: () =>
        new Promise<void>((resolve, reject) => {
          // The test decides when a flush ends (no real fdatasync: its timing is the machine's, not the writer's).
          flushes.push({ finish: () => resolve(), fail: reject });
        }),
    },
    tree,
    logKeyId: null,
  });
  const stored = () => Number((sqlite as unknown as CountingHandle).prepare(COUNT).get().n);
  return { dir, opened, writer, flushes, tree, stored };
}

type CountingHandle = { prepare(sql: string): { get(...params: unknown[]): { n: number } } };
const COUNT = 'select count(*) as n from access_log';

describe('the log writer (one queue for nonce claims and records, pipelined commit)', () => {
  it('answers a claim at its commit, records only after an fdatasync that started after their commit', async () => {
    const { writer, flushes, stored, tree, opened } = await start();
    const a = watch(writer.log.submit({ accessRecords: [record('a')] }));
    const claim = watch(writer.nonces.submit({ keyid: 'k', nonce: 'n1', expiresAt: Date.now() + 60_000 }));
    await turns();
    expect(claim).toMatchObject({ status: 'resolved', value: true });
    expect(stored()).toBe(1);
    expect(a.status).toBe('pending');
    expect(flushes).toHaveLength(1);

    // Batch b commits while a's flush runs; no second flush starts before the first ends.
    const b = watch(writer.log.submit({ accessRecords: [record('b')] }));
    await turns();
    expect(stored()).toBe(2);
    expect(flushes).toHaveLength(1);
    // c waits: b already waits for the next flush, c goes in the batch after it.
    const c = watch(writer.log.submit({ accessRecords: [record('c')] }));
    await turns();
    expect(stored()).toBe(2);

    flushes[0]?.finish();
    await turns();
    expect(a.status).toBe('resolved');
    expect(tree.size).toBe(1);
    // a's flush started before b committed: b is answered only after the next one.
    expect(b.status).toBe('pending');
    expect(flushes).toHaveLength(2);
    expect(stored()).toBe(3);

    flushes[1]?.finish();
    await turns();
    expect(b.status).toBe('resolved');
    expect(c.status).toBe('pending');
    flushes[2]?.finish();
    await turns();
    expect(c.status).toBe('resolved');
    expect(tree.size).toBe(3);
    expect((await loadTree(opened.db, 'log-1')).root()).toEqual(tree.root());
    expect(writer.log.stats).toMatchObject({ batches: 3, items: 3, syncs: 3 });
  });

  it('fails the batch of a failed fdatasync and the batch committed while it ran, then refuses everything until restarted', async () => {
    const { dir, writer, flushes, tree, opened } = await start();
    const a = watch(writer.log.submit({ accessRecords: [record('a')] }));
    await turns();
    const b = watch(writer.log.submit({ accessRecords: [record('b')] }));
    await turns();
    flushes[0]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await turns();
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(flushes).toHaveLength(1);
    expect(tree.size).toBe(0);

    // The failed flush may have dropped WAL pages that a later successful fdatasync would not bring back:
    // nothing more is written or answered, a record as little as a nonce claim.
    const d = watch(writer.log.submit({ accessRecords: [record('d')] }));
    const claim = watch(
      writer.nonces.submit({ keyid: 'k', nonce: 'after-the-failure', expiresAt: Date.now() + 60_000 }),
    );
    await turns();
    expect(flushes).toHaveLength(1);
    expect(d.status).toBe('rejected');
    expect(claim.status).toBe('rejected');
    await expect(writer.log.submit({ accessRecords: [record('e')] })).rejects.toThrow(/until the gateway restarts/);

    // Restarted: a new writer on the same file goes on from what the database holds (a and b committed).
    const reopened = await openFile(join(dir, 'gateway.db'));
    const again = createLogWriter({
      executor: reopened.executor,
      tree: await loadTree(reopened.opened.db, 'log-1'),
      logKeyId: null,
    });
    await again.log.submit({ accessRecords: [record('f')] });
    const leaves = await opened.db.selectFrom('merkle_leaves').select(['leaf_index', 'record_id']).execute();
    expect(leaves.map((l) => [Number(l.leaf_index), l.record_id])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'f'],
    ]);
  });

  it('lets exactly one claim of a nonce win, in one transaction and across two writers on one database', async () => {
    const first = await start();
    const { executor } = await openFile(join(first.dir, 'gateway.db'));
    const second = createLogWriter({ executor, logKeyId: null });
    const claim = { keyid: 'k', nonce: 'same', expiresAt: Date.now() + 60_000 };
    expect(await Promise.all([first.writer.nonces.submit(claim), first.writer.nonces.submit(claim)])).toEqual([
      true,
      false,
    ]);
    expect(await second.nonces.submit(claim)).toBe(false);
    const other = { ...claim, nonce: 'raced' };
    const raced = await Promise.all([first.writer.nonces.submit(other), second.nonces.submit(other)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
  });

  it('still purges expired nonces, after which the nonce could be claimed again', async () => {
    const { dir, writer } = await start();
    const { executor } = await openFile(join(dir, 'gateway.db'));
    const claim = { keyid: 'k', nonce: 'old', expiresAt: Date.now() - 1 };
    expect(await writer.nonces.submit(claim)).toBe(true);
    expect(await writer.nonces.submit(claim)).toBe(false);
    expect(await createSqliteNonceStore(executor).purgeExpired(Date.now())).toBe(1);
    expect(await writer.nonces.submit(claim)).toBe(true);
  });
});
