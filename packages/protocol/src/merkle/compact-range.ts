import { nodeHash, rightFold } from './hashes.ts';

/** A perfect subtree that an append completed: 2^level leaves starting at index · 2^level. */
export interface CompletedNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

/**
 * The right edge of an RFC 9162 tree: the perfect subtrees that make up its leaves so far, largest
 * first. Enough to append and to compute the root, in O(log n) memory; the gateway keeps one per log,
 * and an auditor rebuilds one from the entries to compare with a signed head.
 */
export class CompactRange {
  #size: number;
  #edge: { level: number; hash: Uint8Array }[];

  constructor(size = 0, edge: { level: number; hash: Uint8Array }[] = []) {
    this.#size = size;
    this.#edge = [...edge];
  }

  get size(): number {
    return this.#size;
  }

  /** The perfect subtrees of the edge, largest first: with `size`, enough to go on appending later. */
  get edge(): readonly { readonly level: number; readonly hash: Uint8Array }[] {
    return this.#edge.map((e) => ({ ...e }));
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#edge);
  }

  /** Appends a leaf hash; returns the perfect subtrees of height ≥ 1 that it completed. */
  append(leaf: Uint8Array): CompletedNode[] {
    const completed: CompletedNode[] = [];
    let node = { level: 0, hash: leaf };
    let index = this.#size;
    // Two perfect subtrees of the same height side by side make a perfect subtree one higher.
    while (this.#edge.length > 0 && this.#edge[this.#edge.length - 1]?.level === node.level) {
      const left = this.#edge.pop() as { level: number; hash: Uint8Array };
      index = Math.floor(index / 2);
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      completed.push({ ...node, index });
    }
    this.#edge.push(node);
    this.#size++;
    return completed;
  }

  /** The root: the right fold of the edge; SHA-256 of nothing for the empty tree. */
  root(): Uint8Array {
    return rightFold(this.#edge.map((e) => e.hash));
  }
}
