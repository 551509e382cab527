import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64 } from '@poortwachter/protocol';
import { openDatabase } from '@poortwachter/registry';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateGateway } from '../storage/migrate.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { MerkleTree } from './merkle/merkle-log.ts';
import { loadTree } from './merkle/merkle-store.ts';
import { type PublishedHead, publishedHeads, rollbackOf } from './published-head.ts';

/**
 * The rollback rule's two halves: a stored log must be at least as large as the head published before
 * and extend it (a consistency proof from the stored nodes); the file remembering that head is read
 * strictly and keeps every confirmation.
 */
describe('rollbackOf and the published-head file', () => {
  const opened: (() => Promise<void>)[] = [];
  let dir: string;
  let published: PublishedHead;

  /** A database holding log `log` with the given runs of entries (`tag` makes their content), as the log committer stores them. */
  async function stored(...runs: [tag: string, count: number][]) {
    const { db, close } = openDatabase<GatewayDatabase>('sqlite::memory:');
    opened.push(close);
    await migrateGateway(db as Kysely<unknown>);
    let size = 0;
    for (const [tag, count] of runs) {
      const tree = await loadTree(db, 'log');
      const entries = Array.from({ length: count }, (_, i) => ({
        id: `${tag}-${size + i}`,
        refusal: { tag, n: size + i },
      }));
      const rows = tree.prepare(entries as never);
      await db
        .insertInto('merkle_leaves')
        .values([...rows.leaves])
        .execute();
      if (rows.nodes.length > 0)
        await db
          .insertInto('merkle_nodes')
          .values([...rows.nodes])
          .execute();
      size += count;
    }
    return { db, tree: await loadTree(db, 'log') };
  }
  const check = async (...runs: [string, number][]) => {
    const { db, tree } = await stored(...runs);
    return rollbackOf(db, tree, published);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-published-'));
    const { tree } = await stored(['a', 5]);
    published = { log_id: 'log', tree_size: 5, root_hash: toBase64(tree.root()), timestamp: 1 };
  });
  afterAll(async () => {
    for (const close of opened) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a log that is the published one or extends it', async () => {
    expect(await check(['a', 5])).toBeUndefined();
    expect(await check(['a', 5], ['c', 3])).toBeUndefined();
    expect(await check(['a', 8])).toBeUndefined();
    const { db } = await stored();
    expect(await rollbackOf(db, new MerkleTree('log'), { ...published, tree_size: 0 })).toBeUndefined();
  });

  it('names a smaller log and a log that does not extend the published head, with both heads', async () => {
    const shorter = await check(['a', 3]);
    expect(shorter?.kind).toBe('smaller');
    expect(shorter?.message).toContain('it published size 5');
    expect(shorter?.message).toContain('its database holds size 3');
    expect(shorter?.message).toContain(`CONFIRM_ROLLBACK_TO=3:${shorter?.stored.root_hash}`);
    expect((await check(['b', 5]))?.kind).toBe('inconsistent');
    expect((await check(['a', 3], ['b', 5]))?.kind).toBe('inconsistent');
  });

  it('keeps the head and every confirmed rollback in one file per log; refuses a file it cannot read', async () => {
    const heads = publishedHeads(dir);
    expect(heads.read('log')).toBeUndefined();
    heads.remember(published);
    expect(heads.read('log')).toEqual(published);
    const rollback = await check(['a', 3]);
    if (!rollback) throw new Error('expected a rollback');
    expect(heads.confirm(rollback).from.tree_size).toBe(5);
    expect(heads.read('log')?.tree_size).toBe(3);
    heads.remember({ ...published, tree_size: 4 });
    const kept = JSON.parse(readFileSync(heads.file('log'), 'utf8')) as { confirmedRollbacks: unknown[] };
    expect(kept.confirmedRollbacks).toHaveLength(1);
    writeFileSync(heads.file('log'), '{}');
    expect(() => heads.read('log')).toThrow(/is not a published head of log log/);
    writeFileSync(heads.file('log'), '{"format');
    expect(() => heads.read('log')).toThrow(/cannot be read/);
  });
});
