/**
 * A cache for values that are costly to make and come back again and again (parsed keys, parsed
 * headers, path trees): at most `limit` entries, all dropped at once when full, so it never grows
 * without bound and needs no bookkeeping per hit.
 *
 * @example
 * const trees = boundedCache<PathTree>(500);
 * const tree = trees(paths.join('\n'), () => buildTree(paths));
 */
export function boundedCache<V>(limit: number): (key: string, make: () => V) => V {
  const entries = new Map<string, V>();
  return (key, make) => {
    let value = entries.get(key);
    if (value === undefined) {
      value = make();
      if (entries.size >= limit) entries.clear();
      entries.set(key, value);
    }
    return value;
  };
}
