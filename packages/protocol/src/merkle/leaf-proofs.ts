import { canonicalJson, leafHash, nodeHash, rightFold } from './hashes.ts';
import { consistencyRanges, decompose, inclusionRanges, type Range } from './tree-math.ts';

/** RFC 9162 MTH of leaf hashes [start, end), computed from the leaves (the empty tree's hash for none). */
export function rangeRoot(leaves: readonly Uint8Array[], start = 0, end = leaves.length): Uint8Array {
  // The range's perfect subtrees, largest first, folded right: the same hash a stored tree gives.
  return rightFold(decompose(start, end).map(({ level, index }) => perfectRoot(leaves, index * 2 ** level, level)));
}

function perfectRoot(leaves: readonly Uint8Array[], start: number, level: number): Uint8Array {
  if (level === 0) {
    const leaf = leaves[start];
    if (!leaf) throw new RangeError(`no leaf ${start}`);
    return leaf;
  }
  const half = 2 ** (level - 1);
  return nodeHash(perfectRoot(leaves, start, level - 1), perfectRoot(leaves, start + half, level - 1));
}

const hashesOf = (leaves: readonly Uint8Array[], ranges: readonly Range[]) =>
  ranges.map((r) => rangeRoot(leaves, r.start, r.end));

/**
 * The inclusion proof of leaf `index` in the tree of the first `size` leaves, from the leaf hashes
 * themselves: for a log small enough to hold in memory (the registry's change log).
 */
export function inclusionProofOf(leaves: readonly Uint8Array[], index: number, size: number): Uint8Array[] {
  if (!(index >= 0 && index < size && size <= leaves.length)) throw new RangeError(`no leaf ${index} in size ${size}`);
  return hashesOf(leaves, inclusionRanges(index, size));
}

/** The consistency proof from the tree of `size1` leaves to that of `size2`, from the leaf hashes. */
export function consistencyProofOf(leaves: readonly Uint8Array[], size1: number, size2: number): Uint8Array[] {
  if (!(size1 >= 0 && size1 <= size2 && size2 <= leaves.length)) throw new RangeError(`no sizes ${size1}..${size2}`);
  return hashesOf(leaves, consistencyRanges(size1, size2));
}

/** One change to the registry as its change log holds it (`GET /v1/changes`). */
export interface RegistryChangeEntry {
  readonly serial: number;
  readonly changedAt: string;
  readonly entity: string;
  readonly entityId: string;
  readonly action: string;
  /** `operator` (the admin token) or the OIN of the organisation whose signed request made the change. */
  readonly actor: string;
  readonly record: unknown;
}

/**
 * The leaf of a registry change: SHA-256(0x00 ‖ RFC 8785 JSON of the change's members), so the
 * registry and every verifier hash a change the same way.
 *
 * @example
 * const leaf = changeLeafHash(change); // compare with the log's leaf at the change's index
 */
export const changeLeafHash = (change: RegistryChangeEntry): Uint8Array => {
  const { serial, changedAt, entity, entityId, action, actor, record } = change;
  return leafHash(canonicalJson({ serial, changedAt, entity, entityId, action, actor, record }));
};
