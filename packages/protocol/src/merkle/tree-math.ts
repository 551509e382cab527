/**
 * Pure RFC 9162 tree arithmetic over stored perfect subtrees. A node (level, index) is the perfect
 * subtree of 2^level leaves starting at index · 2^level; its hash never changes once it exists.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** The largest power of two smaller than n (n ≥ 2). */
export const splitPoint = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));

/** [a, b) as perfect aligned subtrees, largest first: the nodes whose right fold is MTH(D[a:b]). */
export function decompose(a: number, b: number): NodeId[] {
  const nodes: NodeId[] = [];
  let at = a;
  while (at < b) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 <= b) size *= 2;
    nodes.push({ level: Math.log2(size), index: at / size });
    at += size;
  }
  return nodes;
}

/** A range whose MTH a proof needs: [start, end). */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[0:n]): the ranges whose hashes form the inclusion proof, in order. */
export function inclusionRanges(m: number, n: number): Range[] {
  const path: Range[] = [];
  const walk = (m: number, start: number, end: number) => {
    const size = end - start;
    if (size <= 1) return;
    const k = splitPoint(size);
    if (m < k) {
      walk(m, start, start + k);
      path.push({ start: start + k, end });
    } else {
      walk(m - k, start + k, end);
      path.push({ start, end: start + k });
    }
  };
  walk(m, 0, n);
  return path;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]): the ranges whose hashes form the consistency proof, in order. */
export function consistencyRanges(m: number, n: number): Range[] {
  const proof: Range[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean) => {
    const size = end - start;
    if (m === size) {
      if (!whole) proof.push({ start, end });
      return;
    }
    const k = splitPoint(size);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      proof.push({ start, end: start + k });
    }
  };
  if (m > 0 && m < n) sub(m, 0, n, true);
  return proof;
}
