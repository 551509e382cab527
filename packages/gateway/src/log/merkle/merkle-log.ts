import {
  CompactRange,
  decompose,
  type LogEntry,
  logLeafHash,
  type NodeId,
  type Range,
  rightFold,
} from '@poortwachter/protocol';
import type { MerkleLeafTable, MerkleNodeTable } from '../../storage/tables.ts';

/** A leaf and a node as stored (`merkle_leaves`, `merkle_nodes`). */
export type LeafRow = Readonly<MerkleLeafTable>;
export type NodeRow = Readonly<MerkleNodeTable>;

/** What one group commit appends to the tree, and the tree after it (applied only once committed). */
export interface MerkleAppend {
  readonly leaves: readonly LeafRow[];
  readonly nodes: readonly NodeRow[];
  /** The tree's size after this append. */
  readonly size: number;
  /** Moves the tree to its state after this append (never back: an older append does nothing). */
  readonly commit: () => void;
  /**
   * Prepares the append that follows this one, before this one is committed to the tree (the log
   * writer's pipeline: the next batch is written while this one is made durable).
   */
  readonly next: (entries: readonly LogEntry[]) => MerkleAppend;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/**
 * One log's Merkle tree (RFC 9162) in memory as its right edge. Appending needs nothing from the
 * database; the rows it produces go into the same transaction as the records, and the edge moves only
 * after that commit.
 */
export class MerkleTree {
  #range: CompactRange;

  constructor(
    readonly logId: string,
    size = 0,
    edge: { level: number; hash: Uint8Array }[] = [],
  ) {
    this.#range = new CompactRange(size, edge);
  }

  get size(): number {
    return this.#range.size;
  }

  /** The root hash (SHA-256 of nothing for the empty tree). */
  root(): Uint8Array {
    return this.#range.root();
  }

  /**
   * Takes the state of `stored` (the same log as read from the database): after a commit whose outcome
   * is unknown (rows written, flush failed), the tree is whatever the database holds.
   */
  resetTo(stored: MerkleTree): void {
    if (stored.logId !== this.logId) throw new Error(`cannot reset log ${this.logId} to log ${stored.logId}`);
    this.#range = stored.#range.clone();
  }

  /** Prepares the append of entries (records and refusals, in order); nothing changes until `commit()`. */
  prepare(entries: readonly LogEntry[]): MerkleAppend {
    return this.#prepareOn(this.#range, entries);
  }

  #prepareOn(base: CompactRange, entries: readonly LogEntry[]): MerkleAppend {
    const range = base.clone();
    const leaves: LeafRow[] = [];
    const nodes: NodeRow[] = [];
    for (const entry of entries) {
      const leaf = logLeafHash(entry);
      leaves.push({ log_id: this.logId, leaf_index: range.size, record_id: entry.id, leaf_hash: b64(leaf) });
      for (const node of range.append(leaf)) {
        nodes.push({ log_id: this.logId, level: node.level, node_index: node.index, hash: b64(node.hash) });
      }
    }
    return {
      leaves,
      nodes,
      size: range.size,
      commit: () => {
        if (range.size > this.#range.size) this.#range = range;
      },
      next: (more) => this.#prepareOn(range, more),
    };
  }
}

/** Reads stored perfect-subtree hashes: level 0 from the leaves, higher levels from the nodes. */
export type NodeReader = (logId: string, nodes: readonly NodeId[]) => Promise<Map<string, Uint8Array>>;
export const nodeKey = (n: NodeId) => `${n.level}:${n.index}`;

/** The hashes of ranges (MTH), from the perfect subtrees they decompose into, read in one go. */
export async function rangeHashes(read: NodeReader, logId: string, ranges: readonly Range[]): Promise<Uint8Array[]> {
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
    return rightFold(hashes);
  });
}
