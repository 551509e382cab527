import { type Kysely, sql } from 'kysely';
import type { GatewayDatabase, MerkleHeadTable } from '../storage/tables.ts';
import { MerkleTree, type NodeReader, nodeKey, rangeHashes } from './merkle-log.ts';
import { consistencyRanges, decompose, inclusionRanges } from './tree-math.ts';

const fromB64 = (s: string) => Buffer.from(s, 'base64');
const toB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** Reads stored perfect-subtree hashes in (at most) two queries: leaves for level 0, nodes above. */
export const storedNodes =
  (db: Kysely<GatewayDatabase>): NodeReader =>
  async (logId, nodes) => {
    const found = new Map<string, Buffer>();
    const leaves = nodes.filter((n) => n.level === 0).map((n) => n.index);
    const higher = nodes.filter((n) => n.level > 0);
    if (leaves.length > 0) {
      const rows = await db
        .selectFrom('merkle_leaves')
        .select(['leaf_index', 'leaf_hash'])
        .where('log_id', '=', logId)
        .where('leaf_index', 'in', leaves)
        .execute();
      for (const r of rows) found.set(nodeKey({ level: 0, index: Number(r.leaf_index) }), fromB64(r.leaf_hash));
    }
    if (higher.length > 0) {
      const rows = await db
        .selectFrom('merkle_nodes')
        .select(['level', 'node_index', 'hash'])
        .where('log_id', '=', logId)
        .where((eb) => eb.or(higher.map((n) => eb.and([eb('level', '=', n.level), eb('node_index', '=', n.index)]))))
        .execute();
      for (const r of rows)
        found.set(nodeKey({ level: Number(r.level), index: Number(r.node_index) }), fromB64(r.hash));
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

export type TreeHead = Pick<MerkleHeadTable, 'log_id' | 'tree_size' | 'root_hash' | 'timestamp' | 'jws'>;

const headColumns = ['log_id', 'tree_size', 'root_hash', 'timestamp', 'jws'] as const;
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
