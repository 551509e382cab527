/**
 * Review of issue 31's outway change (the records' held catalogue paths in one walk): on random
 * answers (nested objects, lists, nulls, empty objects and lists, `__proto__` as an own key from
 * JSON.parse, keys with dots) the one walk names exactly what the old walk over `presentPaths` named.
 */
import { expect, it } from 'vitest';
import { heldPaths } from '../../packages/gateway/src/outway/outway-records.ts';
import { presentPaths } from '../../packages/gateway/src/protocol/project-fields.ts';

/** The code before issue 31 (outway-records.ts at 62a59dc), verbatim in effect. */
function before(person: Record<string, unknown>, catalogue: readonly string[]): string[] {
  const held = new Set<string>();
  for (const leaf of presentPaths(person as never)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) held.add(parts.slice(0, i).join('.'));
  }
  return [...new Set(catalogue.filter((path) => held.has(path)))].sort();
}

const KEYS = ['naam', 'voornamen', 'geboorte', 'datum', '__proto__', 'x', 'kinderen', 'constructor'];
function randomValue(depth: number): unknown {
  const r = Math.random();
  if (depth > 3 || r < 0.25) return [null, 'v', 0, false, ''][Math.floor(Math.random() * 5)];
  if (r < 0.45) return Array.from({ length: Math.floor(Math.random() * 3) }, () => randomValue(depth + 1));
  const out: string[] = [];
  for (let i = 0; i < Math.floor(Math.random() * 4); i++) {
    const key = KEYS[Math.floor(Math.random() * KEYS.length)] as string;
    out.push(`${JSON.stringify(key)}:${JSON.stringify(randomValue(depth + 1))}`);
  }
  return JSON.parse(`{${out.join(',')}}`);
}

/**
 * NOTE (informational): a key that itself contains a dot (`{"a.b": 1}`) differs: before, the leaf
 * `a.b` was split and `a` counted as held too; now only `a.b`. BRP answers have no such keys and the
 * provider's gateway minimises to catalogue paths, so no record of a real answer changes.
 */
it('a key with a dot in it: only that path, no longer its "parent"', () => {
  const person = JSON.parse('{"a.b": 1}');
  expect(before(person, ['a', 'a.b'])).toEqual(['a', 'a.b']);
  expect([...heldPaths(person, new Set(['a', 'a.b']))]).toEqual(['a.b']);
});

it('names the same catalogue paths as before on 3000 random persons', () => {
  for (let n = 0; n < 3000; n++) {
    const person = JSON.parse(JSON.stringify({ p: randomValue(0) })).p;
    if (person === null || typeof person !== 'object' || Array.isArray(person)) continue;
    const all = [
      ...new Set(
        presentPaths(person).flatMap((leaf) => leaf.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))),
      ),
    ];
    const catalogue = [...all.filter(() => Math.random() < 0.6), 'naam', 'naam.voornamen', 'missing.path'];
    expect([...heldPaths(person, new Set(catalogue))].sort(), JSON.stringify(person)).toEqual(
      before(person, catalogue),
    );
  }
});
