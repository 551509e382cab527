import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import personen from '../brp/personen.json' with { type: 'json' };
import { createBrpValidator } from '../openapi/brp-openapi.ts';
import { repairToPattern } from './conform.ts';
import { parseCsv } from './csv.ts';
import { readPersoonslijsten } from './lo3.ts';
import { toDatum } from './lo3-values.ts';

const validator = createBrpValidator();

describe('converted test persons', () => {
  it('holds every persoonslijst of the test set that has a BSN', () => {
    const csv = readFileSync(
      fileURLToPath(new URL('../brp/source/testset-persoonslijsten-proefomgeving-gba-v-20220502.csv', import.meta.url)),
      'utf8',
    );
    const lijsten = readPersoonslijsten(csv);
    const withBsn = lijsten.filter((l) => l.categories.get('01')?.[0]?.[0]?.['01.20']);
    expect(lijsten.length).toBe(687);
    expect(personen).toHaveLength(withBsn.length);
  });

  it('validates every person against the Persoon schema of BRP API Personen 2.7.0', () => {
    const invalid = personen.flatMap((persoon) => {
      const result = validator.validate('Persoon', persoon);
      return result.valid ? [] : [{ bsn: persoon.burgerservicenummer, errors: result.errors.slice(0, 3) }];
    });
    expect(invalid).toEqual([]);
  });

  it('knows Suzanne Moulin as 999993653, born 1 December 1985, living in Rotterdam', () => {
    const suzanne = personen.find((p) => p.burgerservicenummer === '999993653');
    expect(suzanne?.naam).toMatchObject({ voornamen: 'Suzanne', geslachtsnaam: 'Moulin', voorletters: 'S.' });
    expect(suzanne?.geboorte?.datum).toEqual({ type: 'Datum', datum: '1985-12-01', langFormaat: '1 december 1985' });
    expect(suzanne?.verblijfplaats).toMatchObject({
      type: 'Adres',
      verblijfadres: { postcode: '3077AW', huisnummer: 31, woonplaats: 'Rotterdam' },
    });
    expect(suzanne?.partners?.[0]?.naam).toMatchObject({ geslachtsnaam: 'Beaudelaire' });
  });

  it('carries what the BRP delivers automatically: inOnderzoek, geheimhouding, opschorting, rni, verificatie', () => {
    const find = (bsn: string) => personen.find((p) => p.burgerservicenummer === bsn) as Record<string, unknown>;
    // Lg01_600: 01.83.10 = 010310 (geboortedatum) since 2004-02-04.
    expect(find('999992843').geboorte).toMatchObject({
      inOnderzoek: { datum: true, datumIngangOnderzoek: { datum: '2004-02-04' } },
    });
    expect(find('999992843').inOnderzoek).toMatchObject({ leeftijd: true });
    // Lg01_450: 010240 (geslachtsnaam), which also makes the full name uncertain.
    expect((find('999994402').naam as Record<string, unknown>).inOnderzoek).toMatchObject({
      geslachtsnaam: true,
      volledigeNaam: true,
    });
    expect((find('999994402').naam as { inOnderzoek: object }).inOnderzoek).not.toHaveProperty('voornamen');
    // A historic category's code (581100) raises nothing.
    expect(JSON.stringify(find('999990263'))).not.toContain('inOnderzoek');
    expect(find('999993872').geheimhoudingPersoonsgegevens).toBe(true);
    expect(find('999992326').opschortingBijhouding).toMatchObject({ reden: { code: 'E' } });
    expect(find('999994888').rni).toContainEqual({
      deelnemer: { code: '0101', omschrijving: 'Belastingdienst (inzake heffingen en toeslagen)' },
      categorie: 'Persoon',
    });
    expect(find('999994888').verificatie).toMatchObject({ omschrijving: 'bewijs nationaliteit' });
  });

  it('gives every BSN the 11-proef', () => {
    const failing = personen
      .map((p) => p.burgerservicenummer)
      .filter((bsn) => {
        const digits = [...bsn].map(Number);
        const sum = digits.slice(0, 8).reduce((acc, d, i) => acc + d * (9 - i), 0) - (digits[8] ?? 0);
        return sum % 11 !== 0;
      });
    expect(failing).toEqual([]);
  });
});

describe('the validator', () => {
  const suzanne = personen.find((p) => p.burgerservicenummer === '999993653');
  it('refuses a date whose concrete type is incomplete (discriminator is enforced)', () => {
    const broken = structuredClone(suzanne) as Record<string, unknown> & { geboorte: { datum: unknown } };
    broken.geboorte.datum = { type: 'Datum', langFormaat: '1 december 1985' };
    expect(validator.validate('Persoon', broken).valid).toBe(false);
  });
  it('refuses an unknown verblijfplaats type', () => {
    const broken = structuredClone(suzanne) as Record<string, unknown> & { verblijfplaats: { type: string } };
    broken.verblijfplaats.type = 'Woonboot';
    expect(validator.validate('Persoon', broken).valid).toBe(false);
  });
});

describe('conversion helpers', () => {
  it('reads quoted fields with doubled quotes and separators inside', () => {
    expect(parseCsv('\uFEFFa;"b;""c"""\r\n1;2\n', ';')).toEqual([
      ['a', 'b;"c"'],
      ['1', '2'],
    ]);
  });
  it('turns LO3 dates with unknown parts into the matching date types', () => {
    expect(toDatum('00000000')).toMatchObject({ type: 'DatumOnbekend' });
    expect(toDatum('19850000')).toEqual({ type: 'JaarDatum', jaar: 1985, langFormaat: '1985' });
    expect(toDatum('19851200')).toMatchObject({ type: 'JaarMaandDatum', maand: 12 });
    expect(toDatum('19821291')).toMatchObject({ type: 'JaarMaandDatum', maand: 12 });
  });
  it('repairs strings to a pattern and restores a lost leading zero only', () => {
    expect(repairToPattern('Rente @ 100%', "^[a-zA-Z0-9À-ž \\.\\-\\']{1,200}$")).toBe('Rente 100');
    expect(repairToPattern('363010012067062', '^[0-9]{16}$')).toBe('0363010012067062');
    expect(repairToPattern('05992000001251', '^[0-9]{16}$')).toBeUndefined();
  });
});
