/** The closest of `candidates` to a mistyped `word` (at most 3 edits away), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j] ?? 0;
        row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length] ?? Number.POSITIVE_INFINITY;
  };
  const ranked = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.min(3, Math.max(1, Math.floor(word.length / 2))) ? best.c : undefined;
}
