import { consistencyRanges, decompose, inclusionRanges } from '@poortwachter/protocol';
import { type Kysely, sql } from 'kysely';
import type { GatewayDatabase, MerkleHeadTable } from '../../storage/tables.ts';
import { MerkleTree, type NodeReader, nodeKey, rangeHashes } from './merkle-log.ts';

const fromB64 = (s: string) => Buffer.from(s, 'base64');
const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/**
 * Perfect subtrees never change once stored, so the upper ones (level ≥ 6: one per 64 leaves,
 * about 160 000 hashes or 20 MB at 10 million leaves) are kept in memory after their first read.
 */
const CACHED_FROM_LEVEL = 6;
const CACHE_LIMIT = 400_000;
const upperNodes = new WeakMap<object, Map<string, Buffer>>();

/** Reads stored perfect-subtree hashes: leaves for level 0, one indexed lookup per level above. */
export const storedNodes =
  (db: Kysely<GatewayDatabase>): NodeReader =>
  async (logId, nodes) => {
    const cache = upperNodes.get(db) ?? new Map<string, Buffer>();
    upperNodes.set(db, cache);
    const found = new Map<string, Buffer>();
    const cacheKey = (n: { level: number; index: number }) => `${logId}\n${nodeKey(n)}`;
    const leaves: number[] = [];
    const byLevel = new Map<number, number[]>();
    for (const n of nodes) {
      const cached = n.level >= CACHED_FROM_LEVEL ? cache.get(cacheKey(n)) : undefined;
      if (cached) found.set(nodeKey(n), cached);
      else if (n.level === 0) leaves.push(n.index);
      else byLevel.set(n.level, [...(byLevel.get(n.level) ?? []), n.index]);
    }
    // One statement: an indexed lookup per level, glued with UNION ALL (an OR over (level, index)
    // pairs would make SQLite scan, and a statement per level costs a prepare each).
    const parts = [
      ...(leaves.length > 0
        ? [
            sql`select 0 as level, leaf_index as node_index, leaf_hash as hash from merkle_leaves where log_id = ${logId} and leaf_index in (${sql.join(leaves)})`,
          ]
        : []),
      ...[...byLevel].map(
        ([level, indexes]) =>
          sql`select level, node_index, hash from merkle_nodes where log_id = ${logId} and level = ${level} and node_index in (${sql.join(indexes)})`,
      ),
    ];
    if (parts.length > 0) {
      const { rows } = await sql<{
        level: number;
        node_index: number;
        hash: string;
      }>`${sql.join(parts, sql` union all `)}`.execute(db);
      for (const r of rows) {
        const node = { level: Number(r.level), index: Number(r.node_index) };
        const hash = fromB64(r.hash);
        found.set(nodeKey(node), hash);
        if (node.level >= CACHED_FROM_LEVEL && cache.size < CACHE_LIMIT) cache.set(cacheKey(node), hash);
      }
    }
    return found;
  };

/** The tree of `logId` as stored: its size and right edge, read in O(log n). */
export async function loadTree(db: Kysely<GatewayDatabase>, logId: string): Promise<MerkleTree> {
  const row = await db
    .selectFrom('merkle_leaves')
    .select(sql<number | null>`max(leaf_index)`.as('last'))
    .where('log_id', '=', logId)
    .executeTakeFirst();
  const size = row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  const edge = decompose(0, size);
  const hashes = await storedNodes(db)(logId, edge);
  return new MerkleTree(
    logId,
    size,
    edge.map((n) => {
      const hash = hashes.get(nodeKey(n));
      if (!hash) throw new Error(`log ${logId}: the stored tree lacks node ${nodeKey(n)}`);
      return { level: n.level, hash };
    }),
  );
}

/** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves, as base64 hashes. */
export async function inclusionProof(db: Kysely<GatewayDatabase>, logId: string, index: number, size: number) {
  return (await rangeHashes(storedNodes(db), logId, inclusionRanges(index, size))).map(toB64);
}

/** RFC 9162 consistency proof from size `first` to size `second`, as base64 hashes. */
export async function consistencyProof(db: Kysely<GatewayDatabase>, logId: string, first: number, second: number) {
  return (await rangeHashes(storedNodes(db), logId, consistencyRanges(first, second))).map(toB64);
}

export type TreeHead = Pick<MerkleHeadTable, 'log_id' | 'tree_size' | 'root_hash' | 'timestamp' | 'jws' | 'checkpoint'>;

const headColumns = ['log_id', 'tree_size', 'root_hash', 'timestamp', 'jws', 'checkpoint'] as const;
const asHead = (r: TreeHead): TreeHead => ({ ...r, tree_size: Number(r.tree_size), timestamp: Number(r.timestamp) });

/** The newest signed head of every log in the database (all instances sharing it). */
export async function latestHeads(db: Kysely<GatewayDatabase>): Promise<TreeHead[]> {
  const rows = await db
    .selectFrom('merkle_heads as h')
    .select(headColumns.map((c) => `h.${c}` as const))
    .where(({ eb, selectFrom }) =>
      eb(
        'h.tree_size',
        '=',
        selectFrom('merkle_heads as l')
          .select((e) => e.fn.max('l.tree_size').as('m'))
          .whereRef('l.log_id', '=', 'h.log_id'),
      ),
    )
    .orderBy('h.log_id')
    .execute();
  return rows.map(asHead);
}

/** A head of one log: a given size, or the newest; with `atLeast`, the oldest head covering that size. */
export async function headOf(
  db: Kysely<GatewayDatabase>,
  logId: string,
  which: { size?: number; atLeast?: number },
): Promise<TreeHead | undefined> {
  let q = db.selectFrom('merkle_heads').select(headColumns).where('log_id', '=', logId);
  if (which.size !== undefined) q = q.where('tree_size', '=', which.size);
  if (which.atLeast !== undefined) q = q.where('tree_size', '>=', which.atLeast).orderBy('tree_size', 'asc');
  else q = q.orderBy('tree_size', 'desc');
  const row = await q.limit(1).executeTakeFirst();
  return row ? asHead(row) : undefined;
}

/**
 * The hashes of a C2SP tlog-tiles tile: `count` consecutive perfect-subtree hashes at tree level
 * `height` (8 × the tile's level) from `start`, concatenated (32 bytes each); undefined when any is not
 * stored. Level 0 are the leaves, above it the stored nodes: one range read.
 */
export async function tileHashes(
  db: Kysely<GatewayDatabase>,
  logId: string,
  height: number,
  start: number,
  count: number,
): Promise<Buffer | undefined> {
  const rows =
    height === 0
      ? await db
          .selectFrom('merkle_leaves')
          .select(['leaf_index as i', 'leaf_hash as hash'])
          .where('log_id', '=', logId)
          .where('leaf_index', '>=', start)
          .where('leaf_index', '<', start + count)
          .orderBy('leaf_index')
          .execute()
      : await db
          .selectFrom('merkle_nodes')
          .select(['node_index as i', 'hash'])
          .where('log_id', '=', logId)
          .where('level', '=', height)
          .where('node_index', '>=', start)
          .where('node_index', '<', start + count)
          .orderBy('node_index')
          .execute();
  if (rows.length !== count) return undefined;
  return Buffer.concat(rows.map((r) => fromB64(r.hash)));
}
