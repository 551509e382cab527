import { describe, expect, it } from 'vitest';
import { presentPaths } from '../protocol/project-fields.ts';
import { heldPaths } from './outway-records.ts';

/** What the records named before `heldPaths`: every leaf path and every path above one, in the catalogue. */
function heldByLeaves(person: Record<string, unknown>, catalogue: ReadonlySet<string>): string[] {
  const held = new Set<string>();
  for (const leaf of presentPaths(person as never)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) held.add(parts.slice(0, i).join('.'));
  }
  return [...catalogue].filter((path) => held.has(path)).sort();
}

const CATALOGUE = new Set([
  'burgerservicenummer',
  'naam',
  'naam.voornamen',
  'naam.geslachtsnaam',
  'naam.inOnderzoek',
  'geboorte.datum',
  'geboorte.datum.datum',
  'kinderen',
  'kinderen.naam.voornamen',
  'verblijfplaats.verblijfadres.postcode',
  'nationaliteiten',
  'overlijden',
  'partners.naam',
]);

const PERSONS: Record<string, unknown>[] = [
  {
    burgerservicenummer: '999993653',
    naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' },
    geboorte: { datum: { type: 'Datum', datum: '1985-12-01', langFormaat: '1 december 1985' } },
    verblijfplaats: { verblijfadres: { postcode: '3077AW' } },
  },
  // A null is a value the answer holds; an empty object or list holds nothing.
  { naam: { voornamen: null, inOnderzoek: {} }, nationaliteiten: [], overlijden: {} },
  // Lists: a path is held when any member holds it.
  { kinderen: [{ naam: { voornamen: 'Jan' } }, { naam: {} }], partners: [[{ naam: { geslachtsnaam: 'B' } }]] },
  // Not in the catalogue: not named, however deep.
  { onbekend: { veld: 1 }, naam: { voorvoegsel: 'van' } },
  {},
];

describe('heldPaths', () => {
  it('names the catalogue paths a person holds, as the walk over its leaves did', () => {
    for (const person of PERSONS)
      expect([...heldPaths(person, CATALOGUE)].sort()).toEqual(heldByLeaves(person, CATALOGUE));
  });

  it('names a path with a value under it, null included, and no empty object or list', () => {
    expect([...heldPaths(PERSONS[1] as object, CATALOGUE)].sort()).toEqual(['naam', 'naam.voornamen']);
    expect([...heldPaths(PERSONS[2] as object, CATALOGUE)].sort()).toEqual([
      'kinderen',
      'kinderen.naam.voornamen',
      'partners.naam',
    ]);
    expect([...heldPaths(PERSONS[3] as object, CATALOGUE)]).toEqual(['naam']);
  });
});
