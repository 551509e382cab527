import { boundedCache } from '@poortwachter/sdk';

type Json = unknown;

interface PathTree {
  /** The whole value at this node is wanted. */
  all: boolean;
  children: Map<string, PathTree>;
}

function buildTree(paths: readonly string[]): PathTree {
  const root: PathTree = { all: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { all: false, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.all = true;
  }
  return root;
}

function project(value: Json, tree: PathTree): Json {
  if (tree.all) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => project(item, tree)).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const result: Record<string, Json> = {};
  for (const [key, child] of tree.children) {
    if (!Object.hasOwn(value, key)) continue;
    const projected = project((value as Record<string, Json>)[key], child);
    if (projected !== undefined) result[key] = projected;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * Keeps only the given dot paths of a value (BRP `fields` semantics): a path selects the whole value
 * below it, arrays are walked element by element, and what is left empty disappears.
 *
 * @example
 * projectFields({ naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' }, geslacht: { code: 'V' } }, ['naam.voornamen'])
 * // { naam: { voornamen: 'Suzanne' } }
 */
export function projectFields<T extends object>(value: T, paths: readonly string[]): Partial<T> {
  return (project(value, treeFor(paths)) ?? {}) as Partial<T>;
}

// The same few field lists come back request after request; their trees are kept (bounded).
const trees = boundedCache<PathTree>(500);
const treeFor = (paths: readonly string[]): PathTree => trees(paths.join('\n'), () => buildTree(paths));

/**
 * Every dot path of leaf values present in a value, arrays walked (for checking what was released).
 *
 * @example
 * presentPaths({ naam: { voornamen: 'S' }, partners: [{ naam: { geslachtsnaam: 'B' } }] })
 * // ['naam.voornamen', 'partners.naam.geslachtsnaam']
 */
export function presentPaths(value: Json, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => presentPaths(item, prefix)))];
  if (value === null || typeof value !== 'object') return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([key, child]) => presentPaths(child, prefix ? `${prefix}.${key}` : key));
}
