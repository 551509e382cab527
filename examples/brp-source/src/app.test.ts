import { createBrpValidator, loadPersonen } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { createBrpSourceApp } from './app.ts';

const personen = loadPersonen();
const validator = createBrpValidator();
const app = createBrpSourceApp({ personen, today: () => new Date('2026-11-23T12:00:00Z') });

const post = (body: unknown, headers: Record<string, string> = {}) =>
  app.request('/personen', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const FIELDS_BEPERKT = ['burgerservicenummer', 'naam.voornamen', 'naam.geslachtsnaam', 'geboorte.datum'];

const QUERIES: Record<string, Record<string, unknown>> = {
  RaadpleegMetBurgerservicenummer: {
    burgerservicenummer: ['999993653'],
    fields: ['burgerservicenummer', 'naam', 'geboorte', 'verblijfplaats', 'nationaliteiten', 'partners', 'leeftijd'],
  },
  ZoekMetGeslachtsnaamEnGeboortedatum: { geslachtsnaam: 'moulin', geboortedatum: '1985-12-01', fields: FIELDS_BEPERKT },
  ZoekMetNaamEnGemeenteVanInschrijving: {
    geslachtsnaam: 'Mou*',
    voornamen: 'Suzanne',
    gemeenteVanInschrijving: '0599',
    fields: FIELDS_BEPERKT,
  },
  ZoekMetPostcodeEnHuisnummer: { postcode: '3077 aw', huisnummer: 31, fields: FIELDS_BEPERKT },
  ZoekMetStraatHuisnummerEnGemeenteVanInschrijving: {
    straat: 'Boterdiep',
    huisnummer: 31,
    gemeenteVanInschrijving: '0599',
    fields: FIELDS_BEPERKT,
  },
  ZoekMetNummeraanduidingIdentificatie: { nummeraanduidingIdentificatie: '0599200000219678', fields: FIELDS_BEPERKT },
  ZoekMetAdresseerbaarObjectIdentificatie: {
    adresseerbaarObjectIdentificatie: '0599010000208579',
    fields: FIELDS_BEPERKT,
  },
};

describe('example BRP source', () => {
  for (const [type, query] of Object.entries(QUERIES)) {
    it(`${type} finds Suzanne Moulin and its response validates against the spec`, async () => {
      const res = await post({ type, ...query });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { type: string; personen: { burgerservicenummer: string }[] };
      expect(body.type).toBe(type);
      expect(body.personen.map((p) => p.burgerservicenummer)).toContain('999993653');
      const result = validator.validate(`${type}Response`, body);
      expect(result.valid ? [] : result.errors).toEqual([]);
    });
  }

  it('releases exactly the requested fields, and computes leeftijd', async () => {
    const res = await post({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam.voornamen', 'leeftijd', 'verblijfplaats.verblijfadres.postcode'],
    });
    expect(await res.json()).toEqual({
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [
        { naam: { voornamen: 'Suzanne' }, leeftijd: 40, verblijfplaats: { verblijfadres: { postcode: '3077AW' } } },
      ],
    });
  });

  it('refuses a query without fields, naming it', async () => {
    const res = await post({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'] });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { code: string; invalidParams: { name: string }[] };
    expect(body.code).toBe('paramsValidation');
    expect(body.invalidParams.map((p) => p.name)).toContain('fields');
  });

  it('refuses an unknown field path, an invalid BSN and an unknown parameter', async () => {
    const res = await post({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['12345'],
      fields: ['naam.bijnaam'],
      kleur: 'rood',
    });
    const body = (await res.json()) as { invalidParams: { name: string }[] };
    expect(res.status).toBe(400);
    expect(body.invalidParams.map((p) => p.name).sort()).toEqual(['burgerservicenummer[0]']);
    const second = await post({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam.bijnaam'],
      kleur: 'rood',
    });
    const names = ((await second.json()) as { invalidParams: { name: string }[] }).invalidParams
      .map((p) => p.name)
      .sort();
    expect(names).toEqual(['fields[0]', 'kleur']);
  });

  it('refuses fields outside PersoonBeperkt on a search', async () => {
    const res = await post({
      type: 'ZoekMetPostcodeEnHuisnummer',
      postcode: '3077AW',
      huisnummer: 31,
      fields: ['partners'],
    });
    expect(res.status).toBe(400);
  });

  it('refuses an unknown search type', async () => {
    const res = await post({ type: 'ZoekMetKenteken', fields: ['naam'] });
    expect(res.status).toBe(400);
  });

  it('answers tooManyResults above ten persons', async () => {
    const suzanne = personen.find((p) => p.burgerservicenummer === '999993653');
    const clones = Array.from({ length: 11 }, (_, i) => ({
      ...suzanne,
      burgerservicenummer: `10000000${i}`,
    })) as typeof personen;
    const crowded = createBrpSourceApp({ personen: clones });
    const res = await crowded.request('/personen', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'ZoekMetPostcodeEnHuisnummer',
        postcode: '3077AW',
        huisnummer: 31,
        fields: ['naam'],
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('tooManyResults');
  });

  it('answers 415 to a body that is not JSON and 406 to an unacceptable Accept', async () => {
    expect((await post('x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(QUERIES.ZoekMetPostcodeEnHuisnummer ?? {}, { accept: 'application/xml' })).status).toBe(406);
  });

  it('leaves deceased persons out of searches unless asked', async () => {
    const deceased = personen.find((p) => p.overlijden && (p.geboorte as { datum?: { datum?: string } })?.datum?.datum);
    if (!deceased) throw new Error('the test set has deceased persons');
    const naam = (deceased.naam as { geslachtsnaam: string }).geslachtsnaam;
    const geboortedatum = (deceased.geboorte as { datum: { datum: string } }).datum.datum;
    const query = {
      type: 'ZoekMetGeslachtsnaamEnGeboortedatum',
      geslachtsnaam: naam,
      geboortedatum,
      fields: ['burgerservicenummer'],
    };
    const without = (await (await post(query)).json()) as { personen: unknown[] };
    const withDeceased = (await (await post({ ...query, inclusiefOverledenPersonen: true })).json()) as {
      personen: { burgerservicenummer: string }[];
    };
    expect(without.personen.length).toBe(withDeceased.personen.length - 1);
    expect(withDeceased.personen.map((p) => p.burgerservicenummer)).toContain(deceased?.burgerservicenummer);
  });
});
