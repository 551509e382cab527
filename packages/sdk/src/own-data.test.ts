import type { Service } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { DOWNLOAD_FORMAT, downloadFile, ownFieldValues, shownValue } from './own-data.ts';

const field = (path: string, label: string, group: string) =>
  ({ path, label, group, avgCategory: 'persoonsgegeven', bioLevel: 'BBN2' }) as const;

const brp: Service = {
  id: 'brp-personen',
  providerOin: '00000001001000001000',
  name: 'BRP',
  gatewayUrl: 'http://127.0.0.1:1',
  protocol: 'brp-personen-v2',
  fieldCatalogue: [
    field('burgerservicenummer', 'burgerservicenummer (BSN)', 'burgerservicenummer'),
    field('naam.voornamen', 'voornamen', 'naam'),
    field('naam.geslachtsnaam', 'achternaam', 'naam'),
    field('geboorte.datum', 'geboortedatum', 'geboorte'),
    field('nationaliteiten.nationaliteit', 'nationaliteit', 'nationaliteit'),
    field('geheimhoudingPersoonsgegevens', 'geheimhouding', 'geheimhouding'),
  ],
  dataSubjectPaths: ['personen.burgerservicenummer'],
  searchParameters: [],
  betrokkene: { inzageActivityId: 'a', operation: 'RaadpleegMetBurgerservicenummer', terugmeldingActivityId: 'b' },
  revokedAt: null,
};

const brk: Service = {
  ...brp,
  id: 'brk-bevragen',
  protocol: 'haal-centraal-hal',
  fieldCatalogue: [
    field('koz.identificatie', 'nummer van het huis', 'huis of grond'),
    field('koz.adressen.straat', 'straat', 'adres'),
    field('koz.adressen.huisnummer', 'huisnummer', 'adres'),
    field('zg.aandeel', 'aandeel', 'eigenaar'),
  ],
  dataSubjectPaths: ['zg.persoon.identificatie'],
  description: {
    operations: [{ id: 'ZoekMetBsn', method: 'POST', path: '/koz', resource: 'koz', items: 'kozen', parameters: [] }],
    resources: { koz: { relations: [{ name: 'eigenaren', resource: 'zg' }] } },
  },
  betrokkene: { inzageActivityId: 'a', operation: 'ZoekMetBsn', terugmeldingActivityId: 'b' },
};

describe('ownFieldValues', () => {
  it('BRP: per person, the own fields in catalogue order, labelled and grouped as the timeline', () => {
    const body = {
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [
        {
          naam: { geslachtsnaam: 'Moulin', voornamen: 'Suzanne' },
          burgerservicenummer: '999993653',
          geboorte: { datum: { type: 'Datum', datum: '1981-09-14', langFormaat: '14 september 1981' } },
          nationaliteiten: [{ nationaliteit: { code: '0001', omschrijving: 'Nederlandse' } }],
          geheimhoudingPersoonsgegevens: true,
        },
      ],
    };
    expect(ownFieldValues(brp, body)).toEqual([
      {
        pad: 'burgerservicenummer',
        label: 'burgerservicenummer (BSN)',
        soort: 'burgerservicenummer',
        waarde: '999993653',
      },
      { pad: 'naam.voornamen', label: 'voornamen', soort: 'naam', waarde: 'Suzanne' },
      { pad: 'naam.geslachtsnaam', label: 'achternaam', soort: 'naam', waarde: 'Moulin' },
      { pad: 'geboorte.datum', label: 'geboortedatum', soort: 'geboorte', waarde: '14 september 1981' },
      { pad: 'nationaliteiten.nationaliteit', label: 'nationaliteit', soort: 'nationaliteit', waarde: 'Nederlandse' },
      { pad: 'geheimhoudingPersoonsgegevens', label: 'geheimhouding', soort: 'geheimhouding', waarde: 'ja' },
    ]);
  });

  it("HAL: each resource of the operation's items and what it embeds, by the description", () => {
    const body = {
      _embedded: {
        kozen: [
          {
            identificatie: '1',
            adressen: [{ straat: 'Oudegracht', huisnummer: 12 }],
            _embedded: { eigenaren: [{ aandeel: { teller: 1, noemer: 2 } }] },
          },
          { identificatie: '2' },
        ],
      },
    };
    expect(ownFieldValues(brk, body).map((v) => [v.pad, v.waarde])).toEqual([
      ['koz.identificatie', '1'],
      ['koz.adressen.straat', 'Oudegracht'],
      ['koz.adressen.huisnummer', '12'],
      ['zg.aandeel', 'teller: 1, noemer: 2'],
      ['koz.identificatie', '2'],
    ]);
  });

  it('an answer of another shape gives no fields, never a throw', () => {
    expect(ownFieldValues(brp, { personen: 'x' })).toEqual([]);
    expect(ownFieldValues(brk, null)).toEqual([]);
    expect(ownFieldValues({ ...brk, betrokkene: undefined } as unknown as Service, { kozen: [] })).toEqual([]);
  });

  it('shownValue: lists joined, booleans in words, nested objects by their members', () => {
    expect(shownValue(['a', 'b'])).toBe('a, b');
    expect(shownValue(false)).toBe('nee');
    expect(shownValue({ code: 'V', omschrijving: 'vrouw' })).toBe('vrouw');
    expect(shownValue({ code: '301' })).toBe('301');
    expect(shownValue({ a: { b: 1 }, c: true })).toBe('a: 1, c: ja');
  });
});

describe('downloadFile', () => {
  it('keeps each signed answer as it came, with its key, under the format name', () => {
    const antwoord = { status: 200, headers: { 'content-digest': 'sha-256=:x:' }, body: '{"a" : 1}' };
    const sleutel = { kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1' } as const;
    const bron = {
      dienst: 'brp-personen',
      bronhouder: { naam: 'RvIG', oin: '1' },
      url: 'http://x/inzage/v1/gegevens',
      velden: [],
      antwoord,
      sleutel,
    };
    const at = new Date('2026-12-06T20:00:00Z');
    expect(downloadFile({ betrokkene: { bsn: '999993653' }, bronnen: [bron], missing: [] }, at)).toEqual({
      formaat: DOWNLOAD_FORMAT,
      gemaakt: '2026-12-06T20:00:00.000Z',
      betrokkene: { bsn: '999993653' },
      bronnen: [{ dienst: 'brp-personen', bronhouder: { naam: 'RvIG', oin: '1' }, url: bron.url, antwoord, sleutel }],
    });
  });
});
