import { describe, expect, it } from 'vitest';
import { BRP_AUTOMATIC_FIELDS, brpFieldPaths, brpSearchTypes } from '../openapi/brp-openapi.ts';
import { BRP_FIELD_CATALOGUE, BRP_SEARCH_PARAMETERS } from './brp-field-catalogue.ts';
import { DEMO_GRONDSLAGEN, DEMO_ORGANISATIONS, DEMO_PROCESSING_ACTIVITIES, demoAutorisaties } from './demo-registry.ts';

describe('the BRP field catalogue', () => {
  const specPaths = brpFieldPaths();

  it('finds nested paths behind discriminators in the spec', () => {
    expect(specPaths.has('verblijfplaats.verblijfadres.postcode')).toBe(true);
    expect(specPaths.has('nationaliteiten.nationaliteit')).toBe(true);
    expect(specPaths.has('naam.bijnaam')).toBe(false);
  });

  it('names only paths that a BRP API Personen 2.x response has', () => {
    expect(BRP_FIELD_CATALOGUE.map((f) => f.path).filter((p) => !specPaths.has(p))).toEqual([]);
  });

  it('has each path once, with a label', () => {
    const paths = BRP_FIELD_CATALOGUE.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(BRP_FIELD_CATALOGUE.every((f) => f.label.length > 2 && f.group.length > 2)).toBe(true);
  });
});

describe('what the BRP service declares beside its fields', () => {
  const catalogue = BRP_FIELD_CATALOGUE.filter((f) => !f.automatic).map((f) => f.path);

  it('declares every parameter of every search type in the spec, and nothing else', () => {
    const specParameters = new Set([...brpSearchTypes().values()].flatMap((t) => t.parameters));
    expect([...specParameters].sort()).toEqual(BRP_SEARCH_PARAMETERS.map((p) => p.name).sort());
  });

  it('lets each parameter select on releasable catalogue fields only', () => {
    const wrong = BRP_SEARCH_PARAMETERS.flatMap((p) => p.selects.filter((path) => !catalogue.includes(path)));
    expect(wrong).toEqual([]);
  });

  it('marks exactly the fields the spec delivers automatically, each with a rule', () => {
    const marked = BRP_FIELD_CATALOGUE.filter((f) => f.automatic).map((f) => f.path);
    expect(marked.sort()).toEqual([...BRP_AUTOMATIC_FIELDS].sort());
    const rni = BRP_FIELD_CATALOGUE.find((f) => f.path === 'rni')?.automatic;
    const categoryPaths = rni && 'categories' in rni ? Object.values(rni.categories).flat() : [];
    expect(categoryPaths.filter((p) => !catalogue.some((c) => c === p || c.startsWith(`${p}.`)))).toEqual([]);
  });
});

describe('the demo registry', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const autorisaties = demoAutorisaties(now);

  it('has one expired and one future autorisatie, and one vertrouwelijk activity', () => {
    expect(autorisaties.filter((a) => a.validTo && a.validTo < now.toISOString())).toHaveLength(1);
    expect(autorisaties.filter((a) => a.validFrom > now.toISOString())).toHaveLength(1);
    expect(DEMO_PROCESSING_ACTIVITIES.filter((p) => p.vertrouwelijkheid === 'vertrouwelijk')).toHaveLength(1);
  });

  it('has the gemeenten and uitvoeringsorganisaties the issue names', () => {
    const names = DEMO_ORGANISATIONS.map((o) => o.name);
    for (const gemeente of ['Utrecht', 'Haarlem', "'s-Hertogenbosch", 'Rotterdam']) {
      expect(names).toContain(`Gemeente ${gemeente}`);
    }
    expect(DEMO_ORGANISATIONS.some((o) => o.kind === 'uitvoeringsorganisatie')).toBe(true);
    expect(DEMO_ORGANISATIONS.some((o) => o.roles.includes('auditor'))).toBe(true);
    expect(DEMO_ORGANISATIONS.every((o) => /^\d{20}$/.test(o.oin))).toBe(true);
  });

  it('refers to real BWB ids', () => {
    const bwb = Object.fromEntries(DEMO_GRONDSLAGEN.map((g) => [g.lawName, g.bwbId]));
    expect(bwb['Wet basisregistratie personen']).toBe('BWBR0033715');
    expect(bwb.Participatiewet).toBe('BWBR0015703');
    expect(bwb['Wet maatschappelijke ondersteuning 2015']).toBe('BWBR0035362');
    expect(bwb.Jeugdwet).toBe('BWBR0034925');
  });
});
