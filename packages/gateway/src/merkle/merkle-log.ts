import { accessLeafHash, nodeHash } from '@poortwachter/sdk';
import { decompose, type NodeId, type Range } from './tree-math.ts';

/** A leaf row: the record's position in its log and its leaf hash (base64). */
export interface LeafRow {
  readonly log_id: string;
  readonly leaf_index: number;
  readonly record_id: string;
  readonly leaf_hash: string;
}

/** A perfect subtree's hash (level ≥ 1), stored once when it becomes complete. */
export interface NodeRow {
  readonly log_id: string;
  readonly level: number;
  readonly node_index: number;
  readonly hash: string;
}

/** What one group commit appends to the tree, and the tree after it (applied only once committed). */
export interface MerkleAppend {
  readonly leaves: readonly LeafRow[];
  readonly nodes: readonly NodeRow[];
  readonly commit: () => void;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/**
 * The in-memory right edge of one log's Merkle tree (RFC 9162): the hashes of the perfect subtrees
 * that make up the tree, largest first. Appending needs nothing from the database; the rows it
 * produces go into the same transaction as the records, and the edge moves only after that commit.
 */
export class MerkleTree {
  #size: number;
  #edge: { level: number; hash: Buffer }[];

  constructor(
    readonly logId: string,
    size = 0,
    edge: { level: number; hash: Buffer }[] = [],
  ) {
    this.#size = size;
    this.#edge = edge;
  }

  get size(): number {
    return this.#size;
  }

  /** The root hash: the right fold of the edge (SHA-256 of nothing for the empty tree). */
  root(): Buffer {
    const edge = this.#edge;
    if (edge.length === 0) return accessLeafHashOfNothing();
    let r = edge[edge.length - 1]?.hash as Buffer;
    for (let i = edge.length - 2; i >= 0; i--) r = nodeHash(edge[i]?.hash as Buffer, r);
    return r;
  }

  /** Prepares the append of records (in order); nothing changes until `commit()`. */
  prepare(records: readonly { id: string; record: unknown }[]): MerkleAppend {
    const edge = [...this.#edge];
    let size = this.#size;
    const leaves: LeafRow[] = [];
    const nodes: NodeRow[] = [];
    for (const entry of records) {
      const leaf = accessLeafHash(entry);
      leaves.push({ log_id: this.logId, leaf_index: size, record_id: entry.id, leaf_hash: b64(leaf) });
      let node = { level: 0, hash: leaf };
      let index = size;
      // Two perfect subtrees of the same height side by side make a perfect subtree one higher.
      while (edge.length > 0 && edge[edge.length - 1]?.level === node.level) {
        const left = edge.pop() as { level: number; hash: Buffer };
        index = Math.floor(index / 2);
        node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
        nodes.push({ log_id: this.logId, level: node.level, node_index: index, hash: b64(node.hash) });
      }
      edge.push(node);
      size++;
    }
    return {
      leaves,
      nodes,
      commit: () => {
        this.#edge = edge;
        this.#size = size;
      },
    };
  }
}

const accessLeafHashOfNothing = () => Buffer.from('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', 'base64');

/** Reads stored perfect-subtree hashes: level 0 from the leaves, higher levels from the nodes. */
export type NodeReader = (logId: string, nodes: readonly NodeId[]) => Promise<Map<string, Buffer>>;
export const nodeKey = (n: NodeId) => `${n.level}:${n.index}`;

/** The hashes of ranges (MTH), from the perfect subtrees they decompose into, read in one go. */
export async function rangeHashes(read: NodeReader, logId: string, ranges: readonly Range[]): Promise<Buffer[]> {
  const parts = ranges.map((r) => decompose(r.start, r.end));
  const wanted = new Map<string, NodeId>();
  for (const node of parts.flat()) wanted.set(nodeKey(node), node);
  const found = await read(logId, [...wanted.values()]);
  return parts.map((nodes, i) => {
    const hashes = nodes.map((n) => {
      const h = found.get(nodeKey(n));
      if (!h)
        throw new Error(`log ${logId}: no stored hash for node ${nodeKey(n)} of range ${JSON.stringify(ranges[i])}`);
      return h;
    });
    let r = hashes[hashes.length - 1] as Buffer;
    for (let j = hashes.length - 2; j >= 0; j--) r = nodeHash(hashes[j] as Buffer, r);
    return r;
  });
}
