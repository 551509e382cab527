import { openApiSchemaPaths } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { loadBrkOpenApi } from '../openapi/brk-openapi.ts';
import { BRP_AUTOMATIC_FIELDS, brpFieldPaths, brpSearchTypes } from '../openapi/brp-openapi.ts';
import { BRK_FIELD_CATALOGUE } from './brk-field-catalogue.ts';
import { brkAutorisaties, brkService } from './brk-registry.ts';
import { BRK_SERVICE_DESCRIPTION } from './brk-service.ts';
import { BRP_FIELD_CATALOGUE, BRP_SEARCH_PARAMETERS } from './brp-field-catalogue.ts';
import {
  DEMO_GRONDSLAGEN,
  DEMO_OIN,
  DEMO_ORGANISATIONS,
  DEMO_PROCESSING_ACTIVITIES,
  demoAutorisaties,
} from './demo-registry.ts';

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
    expect(bwb.Gemeentewet).toBe('BWBR0005416');
    for (const grondslag of DEMO_GRONDSLAGEN) expect(grondslag.url).toContain(grondslag.bwbId);
  });

  it('has Kadaster as bronhouder with a privacy contact, and an auditor for every inway', () => {
    const kadaster = DEMO_ORGANISATIONS.find((o) => o.oin === DEMO_OIN.kadaster);
    expect(kadaster?.roles).toEqual(['bronhouder']);
    expect(kadaster?.privacyContact.email).toMatch(/@/);
    // An auditor's role is not tied to one inway: the Autoriteit Persoonsgegevens audits Kadaster's too.
    expect(DEMO_ORGANISATIONS.find((o) => o.oin === DEMO_OIN.autoriteitPersoonsgegevens)?.roles).toEqual(['auditor']);
    expect(new Set(Object.values(DEMO_OIN)).size).toBe(Object.values(DEMO_OIN).length);
  });
});

/** The schema of each BRK resource in the spec: one resource of a HAL answer. */
const BRK_SCHEMAS: Record<string, string> = {
  kadastraalOnroerendeZaak: 'KadastraalOnroerendeZaakHal',
  zakelijkGerechtigde: 'ZakelijkGerechtigdeHal',
  hypotheek: 'HypotheekHal',
  beslag: 'BeslagHal',
  kadasterNatuurlijkPersoon: 'KadasterNatuurlijkPersoonHal',
  kadasterNietNatuurlijkPersoon: 'KadasterNietNatuurlijkPersoonHal',
};

describe('the BRK field catalogue', () => {
  const spec = loadBrkOpenApi();
  const paths = BRK_FIELD_CATALOGUE.map((f) => f.path);

  it('names only paths the spec gives the resource its name starts with', () => {
    const missing = paths.filter((path) => {
      const [resource = '', ...rest] = path.split('.');
      const schema = BRK_SCHEMAS[resource];
      return !schema || !openApiSchemaPaths(spec, { $ref: `#/components/schemas/${schema}` }).has(rest.join('.'));
    });
    expect(missing).toEqual([]);
  });

  it('has each path once, with a label, a group and its classification; identifiers as identificatienummer', () => {
    expect(new Set(paths).size).toBe(paths.length);
    expect(BRK_FIELD_CATALOGUE.every((f) => f.label.length > 2 && f.group.length > 2)).toBe(true);
    const identifiers = BRK_FIELD_CATALOGUE.filter((f) =>
      /(^|\.)identificatie$|Identificaties?$|^.*\.rsin$/.test(f.path),
    );
    expect(identifiers.length).toBeGreaterThan(8);
    expect(identifiers.filter((f) => f.avgCategory !== 'identificatienummer').map((f) => f.path)).toEqual([]);
  });

  it('holds every path the service description selects on, reveals or names as a subject', () => {
    const named = [
      ...BRK_SERVICE_DESCRIPTION.operations.flatMap((o) => o.parameters.flatMap((p) => p.selects)),
      ...Object.values(BRK_SERVICE_DESCRIPTION.resources).flatMap((r) => [
        ...('links' in r ? r.links.flatMap((l) => l.reveals) : []),
        ...('subjects' in r
          ? r.subjects.flatMap((s) => ['path' in s ? s.path : '', 'typePath' in s ? s.typePath : ''])
          : []),
      ]),
    ].filter((p) => p !== '');
    expect(named.filter((p) => !paths.includes(p))).toEqual([]);
  });
});

describe('the BRK autorisaties', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const service = brkService('http://localhost:8307');
  const operations = service.description.operations.map((o) => o.id as string);
  const activities = new Map(DEMO_PROCESSING_ACTIVITIES.map((a) => [a.id as string, a]));

  it('use catalogue fields and operations of the description, for an activity of the afnemer in force now', () => {
    for (const autorisatie of brkAutorisaties(now)) {
      expect(autorisatie.fields.filter((f) => !paths(service).includes(f))).toEqual([]);
      expect(autorisatie.searchTypes.filter((t) => !operations.includes(t))).toEqual([]);
      expect(activities.get(autorisatie.processingActivityId)?.responsibleOin).toBe(autorisatie.afnemerOin);
      expect(autorisatie.validFrom < now.toISOString()).toBe(true);
    }
  });

  it("cover what each of their operations' parameters select on, for one way to search at least", () => {
    for (const autorisatie of brkAutorisaties(now)) {
      for (const id of autorisatie.searchTypes) {
        const operation = service.description.operations.find((o) => o.id === id);
        const usable = operation?.parameters.some((p) => p.selects.every((s) => autorisatie.fields.includes(s)));
        expect(usable, `${autorisatie.id} ${id}`).toBe(true);
      }
    }
  });

  it('rest on real grondslagen: the Gemeentewet for OZB, the Participatiewet for bijstand', () => {
    const grondslagen = (id: string) =>
      activities.get(id)?.grondslagIds.map((g) => DEMO_GRONDSLAGEN.find((d) => d.id === g)?.lawName);
    const [utrecht, haarlem] = brkAutorisaties(now);
    expect(grondslagen(utrecht?.processingActivityId ?? '')).toEqual(['Gemeentewet']);
    expect(grondslagen(haarlem?.processingActivityId ?? '')).toEqual(['Participatiewet', 'Participatiewet']);
  });
});

const paths = (service: { fieldCatalogue: readonly { path: string }[] }) => service.fieldCatalogue.map((f) => f.path);
