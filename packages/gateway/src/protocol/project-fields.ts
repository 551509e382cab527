import type { AutomaticDelivery } from '@poortwachter/protocol';
import { boundedCache, overlapping, valuesAt } from '@poortwachter/protocol';

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

/** A JSON object (not an array, not null). */
export const isObject = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * An annotation object beside kept members (the BRP's `inOnderzoek`): the flag (a boolean) of each
 * kept member, and the annotation's own details (its dates, anything not a flag) when one is kept.
 */
function annotationsOf(notes: Json, kept: Record<string, Json>): Record<string, Json> | undefined {
  if (!isObject(notes)) return undefined;
  const out: Record<string, Json> = {};
  let flagged = false;
  for (const key of Object.keys(kept)) {
    if (typeof notes[key] === 'boolean') {
      out[key] = notes[key];
      flagged = true;
    }
  }
  if (!flagged) return undefined;
  for (const [key, note] of Object.entries(notes)) if (typeof note !== 'boolean') out[key] = note;
  return out;
}

/** The member name of the annotations kept beside released members, and whether any were kept. */
interface Beside {
  readonly member: string;
  kept: boolean;
}

function project(value: Json, tree: PathTree, beside?: Beside): Json {
  if (tree.all) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => project(item, tree, beside)).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (!isObject(value)) return undefined;
  const result: Record<string, Json> = {};
  for (const [key, child] of tree.children) {
    if (!Object.hasOwn(value, key)) continue;
    const projected = project(value[key], child, beside);
    if (projected !== undefined) result[key] = projected;
  }
  if (beside !== undefined && Object.hasOwn(value, beside.member) && Object.keys(result).length > 0) {
    const notes = annotationsOf(value[beside.member], result);
    if (notes) {
      result[beside.member] = notes;
      beside.kept = true;
    }
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

/** A field the source delivers unasked (a catalogue field with `automatic`). */
export interface AutomaticField {
  readonly path: string;
  readonly automatic?: AutomaticDelivery;
}

/** The value at a dot path, arrays walked (one rule, in the protocol: the citizen's client reads answers with it too). */
export { valuesAt };

/**
 * One person as released: the given paths (BRP `fields` semantics, as `projectFields`), plus the
 * automatic fields that apply to them, each by its rule (see `AutomaticDelivery`): `always` ones the
 * person has, the `besideRequested` annotation of each released member (`naam.inOnderzoek.voornamen`
 * when `naam.voornamen` is released), and the `byCategory` entries of a category a released path
 * lies in. Returns the automatic fields it delivered, so that they are logged as released.
 *
 * @example
 * projectPerson(persoon, ['naam.voornamen'], [{ path: 'inOnderzoek', automatic: { rule: 'besideRequested' } }]);
 * // { value: { naam: { voornamen: 'Jan', inOnderzoek: { voornamen: true, datumIngangOnderzoek: {…} } } }, delivered: ['inOnderzoek'] }
 */
export function projectPerson(
  person: Record<string, unknown>,
  paths: readonly string[],
  automaticFields: readonly AutomaticField[] = [],
): { value: Record<string, unknown>; delivered: string[] } {
  const delivered: string[] = [];
  const always = automaticFields.filter((f) => f.automatic?.rule === 'always').map((f) => f.path);
  const present = always.filter((path) => valuesAt(person, path).length > 0);
  const member = automaticFields.find((f) => f.automatic?.rule === 'besideRequested')?.path;
  const beside = member === undefined ? undefined : { member, kept: false };
  const value = (project(person, treeFor([...paths, ...present]), beside) ?? {}) as Record<string, unknown>;
  if (beside?.kept) delivered.push(beside.member);
  delivered.push(...present);
  for (const field of automaticFields) {
    const rule = field.automatic;
    if (rule?.rule !== 'byCategory' || !Object.hasOwn(person, field.path) || !Array.isArray(person[field.path]))
      continue;
    const entries = (person[field.path] as unknown[]).filter((entry) => {
      const category = isObject(entry as Json) ? (entry as Record<string, unknown>)[rule.member] : undefined;
      const under =
        typeof category === 'string' && Object.hasOwn(rule.categories, category) ? rule.categories[category] : [];
      return (under ?? []).some((prefix) => paths.some((p) => overlapping(p, prefix)));
    });
    if (entries.length > 0) {
      value[field.path] = entries;
      delivered.push(field.path);
    }
  }
  return { value, delivered };
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
