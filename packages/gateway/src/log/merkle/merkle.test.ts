import {
  accessLeafHash,
  consistencyRanges,
  inclusionRanges,
  nodeHash,
  splitPoint,
  uuidv7,
  verifyConsistency,
  verifyInclusion,
} from '@poortwachter/protocol';
import { openTestDatabase } from '@poortwachter/registry/testing';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createAccessLogStore } from '../../storage/access-log-store.ts';
import { migrateGateway } from '../../storage/migrate.ts';
import type { GatewayDatabase } from '../../storage/tables.ts';
import { MerkleTree, type NodeReader, nodeKey, rangeHashes } from './merkle-log.ts';
import { loadTree } from './merkle-store.ts';

/** RFC 9162 MTH straight from its definition, as the reference. */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const entry = (i: number) => ({ id: uuidv7(1_700_000_000_000 + i), record: { n: i, text: `record ${i}` } });

describe('the Merkle tree of the log', () => {
  it('appends in batches to the RFC 9162 root, and serves inclusion and consistency proofs that verify', async () => {
    const tree = new MerkleTree('test');
    const stored = new Map<string, Buffer>();
    const read: NodeReader = async (_log, nodes) =>
      new Map(nodes.map((n) => [nodeKey(n), stored.get(nodeKey(n)) as Buffer]));
    const leaves: Uint8Array[] = [];
    const roots: Uint8Array[] = [];
    for (let n = 0; n < 70; ) {
      const batch = Array.from({ length: 1 + (n % 4) }, (_, i) => entry(n + i));
      const append = tree.prepare(batch);
      expect(tree.size).toBe(n); // nothing moves before the commit
      append.commit();
      for (const l of append.leaves)
        stored.set(nodeKey({ level: 0, index: l.leaf_index }), Buffer.from(l.leaf_hash, 'base64'));
      for (const node of append.nodes)
        stored.set(nodeKey({ level: node.level, index: node.node_index }), Buffer.from(node.hash, 'base64'));
      for (const e of batch) {
        leaves.push(accessLeafHash(e));
        roots[leaves.length] = mth(leaves);
      }
      n += batch.length;
      expect(tree.size).toBe(n);
      expect(tree.root()).toEqual(mth(leaves));
    }
    for (const size of [1, 2, 3, 7, 8, 9, 31, 64, 70]) {
      const root = roots[size] as Buffer;
      for (let m = 0; m < size; m++) {
        const proof = await rangeHashes(read, 'test', inclusionRanges(m, size));
        expect(() => verifyInclusion(m, size, leaves[m] as Buffer, proof, root)).not.toThrow();
      }
      for (let first = 1; first <= size; first++) {
        const proof = await rangeHashes(read, 'test', consistencyRanges(first, size));
        expect(() => verifyConsistency(first, size, proof, roots[first] as Buffer, root)).not.toThrow();
      }
    }
  });

  it('loads its size and right edge back from the database', async () => {
    const { db, close } = await openTestDatabase<GatewayDatabase>('sqlite');
    await migrateGateway(db as Kysely<unknown>);
    const store = createAccessLogStore(db);
    const tree = new MerkleTree('reload');
    for (let i = 0; i < 23; i += 5) {
      const batch = Array.from({ length: 5 }, (_, j) => entry(i + j));
      const append = tree.prepare(batch);
      await store.writeBatch([], append);
      append.commit();
    }
    const reloaded = await loadTree(db, 'reload');
    expect(reloaded.size).toBe(25);
    expect(reloaded.root()).toEqual(tree.root());
    expect((await loadTree(db, 'another')).size).toBe(0);
    await close();
  });
});
