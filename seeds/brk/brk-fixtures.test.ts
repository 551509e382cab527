import { describe, expect, it } from 'vitest';
import { createBrkValidator } from '../openapi/brk-openapi.ts';
import { loadPersonen } from '../personen.ts';
import { type BrkResource, loadBrkFixtures } from './brk-fixtures.ts';
import { generateBrkFixtures } from './generate-brk.ts';

const personen = loadPersonen();
const brk = loadBrkFixtures();
const validator = createBrkValidator();
const gerechtigden = Object.values(brk.zakelijkGerechtigden).flat();
const ID = /^[0-9]{1,20}$/;
const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
const ownersOf = (zaak: BrkResource) => (brk.zakelijkGerechtigden[zaak.identificatie] ?? []).map((g) => g.persoon);

describe('BRK fixtures', () => {
  it('are what the generator makes of the BRP test persons (deterministic, committed up to date)', () => {
    expect(generateBrkFixtures(personen)).toEqual(brk);
    expect(generateBrkFixtures(personen)).toEqual(generateBrkFixtures(personen));
  });

  it('validate against the BRK bevragen 2.0 schemas, each resource against its own', () => {
    const groups: [string, readonly unknown[]][] = [
      ['KadastraalOnroerendeZaak', brk.kadastraalOnroerendeZaken],
      ['ZakelijkGerechtigde', gerechtigden],
      ['Hypotheek', Object.values(brk.hypotheken).flat()],
      ['Beslag', Object.values(brk.beslagen).flat()],
      ['KadasterNatuurlijkPersoon', brk.kadasterNatuurlijkPersonen],
      ['KadasterNietNatuurlijkPersoon', brk.kadasterNietNatuurlijkPersonen],
    ];
    for (const [schema, values] of groups) {
      expect(values.length, schema).toBeGreaterThan(0);
      for (const value of values) {
        const result = validator.validate(schema, value);
        expect(result.valid ? [] : result.errors, `${schema} ${JSON.stringify(value).slice(0, 80)}`).toEqual([]);
      }
    }
  });

  it('Suzanne Moulin (999993653) owns her home, at her address in the BRP', () => {
    const suzanne = personen.find((p) => p.burgerservicenummer === '999993653');
    const zaken = brk.kadastraalOnroerendeZaken.filter((z) => ownersOf(z).some((o) => o.identificatie === '999993653'));
    expect(zaken).toHaveLength(1);
    const adres = get(zaken[0], 'adressen.0') as Record<string, unknown>;
    expect(adres).toMatchObject({
      postcode: get(suzanne, 'verblijfplaats.verblijfadres.postcode'),
      huisnummer: get(suzanne, 'verblijfplaats.verblijfadres.huisnummer'),
      nummeraanduidingIdentificatie: get(suzanne, 'verblijfplaats.nummeraanduidingIdentificatie'),
    });
    expect(adres.postcode).toBe('3077AW');
  });

  it('name owners with a BSN only when they are test persons in the BRP', () => {
    const bsns = new Set(personen.map((p) => p.burgerservicenummer));
    const withBsn = gerechtigden.filter((g) => g.persoon.type === 'ingeschreven_natuurlijk_persoon');
    expect(withBsn.length).toBeGreaterThan(4);
    for (const g of withBsn) expect(bsns.has(g.persoon.identificatie), g.persoon.identificatie).toBe(true);
  });

  it('refer only to Kadaster persons that exist, and to parcels that exist', () => {
    const kadaster = new Map([
      ...brk.kadasterNatuurlijkPersonen.map((p) => [p.identificatie, 'kadaster_natuurlijk_persoon'] as const),
      ...brk.kadasterNietNatuurlijkPersonen.map((p) => [p.identificatie, 'kadaster_niet_natuurlijk_persoon'] as const),
    ]);
    const refs = [
      ...gerechtigden.map((g) => g.persoon),
      ...Object.values(brk.hypotheken).flatMap((h) =>
        h.flatMap((x) => x.hypotheekhouders as { type: string; identificatie: string }[]),
      ),
      ...Object.values(brk.beslagen).flatMap((b) =>
        b.flatMap((x) => x.beslagleggers as { type: string; identificatie: string }[]),
      ),
    ];
    for (const ref of refs.filter((r) => r.type.startsWith('kadaster_')))
      expect(kadaster.get(ref.identificatie)).toBe(ref.type);
    const zaken = new Set(brk.kadastraalOnroerendeZaken.map((z) => z.identificatie));
    for (const zaak of brk.kadastraalOnroerendeZaken) {
      for (const key of ['bijbehorendeGrondpercelen', 'bijbehorendeAppartementsrechten']) {
        for (const other of (zaak[key] as { identificatie: string }[] | undefined) ?? [])
          expect(zaken.has(other.identificatie)).toBe(true);
      }
      expect(zaak.zakelijkGerechtigdeIdentificaties ?? []).toEqual(
        (brk.zakelijkGerechtigden[zaak.identificatie] ?? []).map((g) => g.identificatie),
      );
      expect(zaak.hypotheekIdentificaties ?? []).toEqual(
        (brk.hypotheken[zaak.identificatie] ?? []).map((h) => h.identificatie),
      );
      expect(zaak.beslagIdentificaties ?? []).toEqual(
        (brk.beslagen[zaak.identificatie] ?? []).map((b) => b.identificatie),
      );
    }
  });

  it('give each right shares that add up to one', () => {
    for (const [zaak, list] of Object.entries(brk.zakelijkGerechtigden)) {
      const sum = list.reduce(
        (total, g) => total + (g.tenaamstelling?.aandeel?.teller ?? 0) / (g.tenaamstelling?.aandeel?.noemer ?? 1),
        0,
      );
      expect(sum, zaak).toBeCloseTo(1, 10);
    }
  });

  it('use unique digits-only ids, and hold the cases the tests need', () => {
    const ids = [
      ...brk.kadastraalOnroerendeZaken,
      ...gerechtigden,
      ...Object.values(brk.hypotheken).flat(),
      ...Object.values(brk.beslagen).flat(),
      ...brk.kadasterNatuurlijkPersonen,
      ...brk.kadasterNietNatuurlijkPersonen,
    ].map((r) => r.identificatie);
    for (const id of ids) expect(id).toMatch(ID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.values(brk.beslagen).flat()).toHaveLength(1);
    const zaken = brk.kadastraalOnroerendeZaken;
    const onlyCompanies = zaken.filter(
      (z) => ownersOf(z).length > 0 && ownersOf(z).every((o) => o.type.endsWith('niet_natuurlijk_persoon')),
    );
    expect(onlyCompanies.some((z) => z.type === 'perceel')).toBe(true);
    expect(
      zaken.some((z) => ownersOf(z).filter((o) => o.type === 'ingeschreven_natuurlijk_persoon').length === 2),
    ).toBe(true);
    expect(zaken.some((z) => ownersOf(z).some((o) => o.type === 'kadaster_natuurlijk_persoon'))).toBe(true);
    expect(
      gerechtigden.some(
        (g) => /^[0-9]{9}$/.test(g.persoon.identificatie) && g.persoon.type === 'ingeschreven_niet_natuurlijk_persoon',
      ),
    ).toBe(true);
    const appartement = zaken.find((z) => z.type === 'appartementsrecht' && z.bijbehorendeGrondpercelen);
    expect(appartement).toBeDefined();
    expect(
      Object.values(brk.hypotheken)
        .flat()
        .every((h) =>
          (h.hypotheekhouders as { type: string }[]).every((p) => p.type.endsWith('niet_natuurlijk_persoon')),
        ),
    ).toBe(true);
  });
});
