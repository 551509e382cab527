import { equalBytes } from '../bytes.ts';
import { nodeHash } from './hashes.ts';

/** Why a proof did not verify; thrown as a MerkleProofError with a message that names the case. */
export class MerkleProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MerkleProofError';
  }
}

const fail = (message: string): never => {
  throw new MerkleProofError(message);
};
const equal = equalBytes;
const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;
const checkIndex = (name: string, n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) fail(`${name} is not a size or index: ${n}.`);
};
// Shifts below work on numbers up to 2^53 by division: JavaScript's >> is 32-bit.
const half = (n: number) => Math.floor(n / 2);
const lsb = (n: number) => n % 2 === 1;

/**
 * RFC 9162 §2.1.3.2: is the leaf with `leafHash` at `index` in the tree of `size` leaves whose
 * root is `root`? Throws MerkleProofError if not.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkIndex('index', index);
  checkIndex('size', size);
  if (index >= size) fail(`leaf index ${index} is not below tree size ${size}.`);
  if (leaf.length !== 32 || root.length !== 32) fail('a leaf hash and a root are 32 bytes (SHA-256).');
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) fail('the inclusion proof is longer than the tree is high.');
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else r = nodeHash(r, p);
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail('the inclusion proof is too short.');
  if (!equal(r, root)) fail('the inclusion proof does not lead to the root.');
}

/**
 * RFC 9162 §2.1.4.2: is the tree of `size1` leaves (root `root1`) a prefix of the tree of `size2`
 * leaves (root `root2`)? Throws MerkleProofError if not.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkIndex('size1', size1);
  checkIndex('size2', size2);
  if (size2 < size1) fail(`tree size ${size2} is smaller than ${size1}: the log shrank.`);
  // Every tree extends the empty one: a check from size 0 proves nothing, so it is refused.
  if (size1 === 0) fail('a consistency check from the empty tree proves nothing.');
  if (size1 === size2) {
    if (proof.length > 0) fail('equal sizes need an empty proof.');
    if (!equal(root1, root2)) fail(`two different roots for the same size ${size1}: the log forked.`);
    return;
  }
  if (proof.length === 0) fail('the consistency proof is empty.');
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) fail('the consistency proof is too long.');
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else sr = nodeHash(sr, c);
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail('the consistency proof is too short.');
  if (!equal(fr, root1)) fail(`the proof does not lead to the old root (size ${size1}).`);
  if (!equal(sr, root2)) fail(`the proof does not lead to the new root (size ${size2}).`);
}
