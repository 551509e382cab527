import { describe, expect, it } from 'vitest';
import { fieldUrn, ownFields, parseFieldUrn } from '../domain/own-data.ts';
import { ProblemError } from '../problem.ts';
import { parseTerugmelding, TERUGMELDING_LIMITS, terugmeldingTransition } from './terugmelding.ts';

const melding = (gegeven: Record<string, unknown> = {}, bsn = '999993653') => ({
  terugMeldingBody: {
    objectIdentificatie: [
      { objectType: 'persoon', attribuutUrn: 'urn:brp-personen:burgerservicenummer', idWaarde: bsn },
    ],
    terugMeldingGegevens: [
      {
        attribuutUrn: fieldUrn('brp-personen', 'verblijfplaats.verblijfadres.huisnummer'),
        betwijfeldeWaarde: '23',
        voorgesteldeWaarde: '21',
        ...gegeven,
      },
    ],
  },
});

const problems = (body: unknown) => {
  try {
    parseTerugmelding(body);
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { status: error.status, names: (error.invalidParams ?? []).map((p) => p.name) };
  }
  return undefined;
};

const jpeg = (size: number) => {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff]);
  return Buffer.from(bytes).toString('base64');
};

describe('parseTerugmelding', () => {
  it("takes the draft's shape, with a reason and an attachment", () => {
    const body = melding({
      eigenvelden: { toelichting: 'Ik woon op 21.\nZie de brief.' },
      bijlages: [{ bestandsnaam: 'brief.jpg', mimeType: 'image/jpeg', bijlageData: jpeg(100) }],
    });
    expect(parseTerugmelding(body)).toEqual(body);
  });

  it('names every member that is wrong', () => {
    expect(problems({ terugMeldingBody: { objectIdentificatie: [], terugMeldingGegevens: [{}] }, extra: 1 })).toEqual({
      status: 400,
      names: [
        'extra',
        'terugMeldingBody.objectIdentificatie',
        'terugMeldingBody.terugMeldingGegevens[0].attribuutUrn',
        'terugMeldingBody.terugMeldingGegevens[0].betwijfeldeWaarde',
        'terugMeldingBody.terugMeldingGegevens[0].voorgesteldeWaarde',
      ],
    });
    expect(problems(melding({}, '123456789'))?.names).toEqual(['terugMeldingBody.objectIdentificatie[0].idWaarde']);
    expect(problems(melding({ attribuutUrn: 'huisnummer' }))?.names).toEqual([
      'terugMeldingBody.terugMeldingGegevens[0].attribuutUrn',
    ]);
    expect(problems(melding({ voorgesteldeWaarde: '21\u202e' }))?.names).toEqual([
      'terugMeldingBody.terugMeldingGegevens[0].voorgesteldeWaarde',
    ]);
    expect(problems(melding({ voorgesteldeWaarde: '21\n22' }))?.names).toEqual([
      'terugMeldingBody.terugMeldingGegevens[0].voorgesteldeWaarde',
    ]);
  });

  it('keeps HTML as the text it is', () => {
    const body = melding({ voorgesteldeWaarde: '<img src=x onerror=alert(1)>' });
    expect(parseTerugmelding(body)).toEqual(body);
  });

  it('refuses an attachment over 1 MB (413) and one that is not what it says', () => {
    const big = melding({
      bijlages: [
        { bestandsnaam: 'x.jpg', mimeType: 'image/jpeg', bijlageData: jpeg(TERUGMELDING_LIMITS.bijlageBytes + 1) },
      ],
    });
    expect(problems(big)).toEqual({
      status: 413,
      names: ['terugMeldingBody.terugMeldingGegevens[0].bijlages[0].bijlageData'],
    });
    const html = Buffer.from('<script>alert(1)</script>').toString('base64');
    const fake = melding({ bijlages: [{ bestandsnaam: 'x.pdf', mimeType: 'application/pdf', bijlageData: html }] });
    expect(problems(fake)?.names).toEqual(['terugMeldingBody.terugMeldingGegevens[0].bijlages[0].bijlageData']);
    const svg = melding({ bijlages: [{ bestandsnaam: 'x.svg', mimeType: 'image/svg+xml', bijlageData: html }] });
    expect(problems(svg)?.names).toEqual(['terugMeldingBody.terugMeldingGegevens[0].bijlages[0].mimeType']);
  });
});

describe('terugmeldingTransition', () => {
  it('lets the melder only withdraw, the bronhouder only handle, and nobody change a final melding', () => {
    expect(terugmeldingTransition('Gemeld', 'Ingetrokken', 'melder')).toBe(true);
    expect(terugmeldingTransition('Gemeld', 'Afgehandeld', 'melder')).toBe(false);
    expect(terugmeldingTransition('Gemeld', 'In behandeling', 'bronhouder')).toBe(true);
    expect(terugmeldingTransition('In behandeling', 'Afgehandeld', 'bronhouder')).toBe(true);
    expect(terugmeldingTransition('In behandeling', 'Gemeld', 'bronhouder')).toBe(false);
    expect(terugmeldingTransition('Afgehandeld', 'In behandeling', 'bronhouder')).toBe(false);
    expect(terugmeldingTransition('Ingetrokken', 'Ingetrokken', 'melder')).toBe(false);
  });
});

describe('ownFields and fieldUrn', () => {
  it("leaves out what is about another person, and names a datum by its service's urn", () => {
    const service = {
      fieldCatalogue: [
        'naam.voornamen',
        'partners.naam.voornamen',
        'partners.burgerservicenummer',
        'burgerservicenummer',
      ].map((path) => ({ path, label: path, group: 'naam', avgCategory: 'identificerend', bioLevel: 'laag' }) as never),
      dataSubjectPaths: ['burgerservicenummer', 'partners.burgerservicenummer'],
    };
    expect(ownFields(service)).toEqual(['naam.voornamen', 'burgerservicenummer']);
    // The BRP's answer names no subject of its own for a partner: the service's betrokkene says where they are.
    const brp = {
      ...service,
      dataSubjectPaths: ['personen.burgerservicenummer'],
      betrokkene: { inzageActivityId: 'a', operation: 'o', terugmeldingActivityId: 't', anderePersonen: ['partners'] },
    };
    expect(ownFields(brp)).toEqual(['naam.voornamen', 'burgerservicenummer']);
    expect(ownFields({ ...brp, betrokkene: { ...brp.betrokkene, anderePersonen: [] } })).toHaveLength(4);
    expect(parseFieldUrn(fieldUrn('brp-personen', 'naam.voornamen'))).toEqual({
      serviceId: 'brp-personen',
      path: 'naam.voornamen',
    });
    expect(parseFieldUrn('urn:brp:persoon:bsn')).toBeUndefined();
  });
});
