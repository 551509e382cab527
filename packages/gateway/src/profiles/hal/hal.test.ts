import type { Autorisatie, Service } from '@poortwachter/protocol';
import { isGatewayRefusal } from '@poortwachter/protocol';
import { BRK_SERVICE_DESCRIPTION } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import type { Grant } from '../../pipeline/context.ts';
import { decideHalCall } from './hal-authorise.ts';
import { type HalRequest, parseHalCall } from './hal-call.ts';
import { releaseHal } from './hal-release.ts';

const CATALOGUE = [
  'kadastraalOnroerendeZaak.identificatie',
  'kadastraalOnroerendeZaak.kadastraleAanduiding',
  'kadastraalOnroerendeZaak.koopsom.koopsom',
  'kadastraalOnroerendeZaak.koopsom.koopjaar',
  'kadastraalOnroerendeZaak.adressen.postcode',
  'kadastraalOnroerendeZaak.adressen.huisnummer',
  'kadastraalOnroerendeZaak.zakelijkGerechtigdeIdentificaties',
  'zakelijkGerechtigde.identificatie',
  'zakelijkGerechtigde.persoon.identificatie',
  'zakelijkGerechtigde.persoon.type',
  'zakelijkGerechtigde.tenaamstelling.aandeel.teller',
  'zakelijkGerechtigde.tenaamstelling.aandeel.noemer',
];

const service = {
  id: 'brk-bevragen',
  providerOin: '00000001000000000000',
  name: 'BRK',
  gatewayUrl: 'https://brk.gateway.test/',
  protocol: 'haal-centraal-hal',
  fieldCatalogue: [],
  dataSubjectPaths: [],
  searchParameters: [],
  description: BRK_SERVICE_DESCRIPTION,
  revokedAt: null,
} as unknown as Service;

const autorisatie = (fields: string[], searchTypes: string[]): Autorisatie => ({
  id: 'a',
  afnemerOin: 'x',
  serviceId: 'brk-bevragen',
  processingActivityId: 'p',
  processingActivityVersion: 1,
  grondslagId: 'g',
  fields,
  searchTypes,
  validFrom: '2020-01-01T00:00:00Z',
  validTo: null,
  revokedAt: null,
});

const request = (method: string, path: string, query = '', body = ''): HalRequest => ({
  method,
  path,
  query,
  body: new TextEncoder().encode(body),
});

/** The refusal a function throws: its reason and the names it points at. */
function refusalOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isGatewayRefusal(error)) return { reason: error.reason, names: error.invalidParams?.map((p) => p.name) ?? [] };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('a described service: the call', () => {
  it('finds the operation by method and path template, with its decoded path parameters', () => {
    const call = parseHalCall(
      service,
      request('GET', '/kadastraalonroerendezaken/76870487970000/zakelijkgerechtigden'),
    );
    expect(call.operation.id).toBe('GetZakelijkGerechtigden');
    expect(call.parameters).toEqual({ kadastraalOnroerendeZaakIdentificatie: '76870487970000' });
  });

  it('refuses a path no operation declares (404), and a method the path does not have', () => {
    expect(refusalOf(() => parseHalCall(service, request('GET', '/stukken/1'))).reason).toBe('operationNotFound');
    expect(refusalOf(() => parseHalCall(service, request('POST', '/kadastraalonroerendezaken/1'))).reason).toBe(
      'operationNotFound',
    );
  });

  it('refuses path values that could traverse or inject, before anything else sees them', () => {
    for (const value of ['..', '%2E%2E', '1%2F..%2Fstukken', '1%00', '%E0%A4%A', '1;2', '1%0A2']) {
      const refusal = refusalOf(() => parseHalCall(service, request('GET', `/kadastraalonroerendezaken/${value}`)));
      expect(['invalidRequest', 'operationNotFound'], value).toContain(refusal.reason);
    }
  });

  it('refuses unknown, repeated and malformed query parameters, naming each', () => {
    const refusal = refusalOf(() =>
      parseHalCall(
        service,
        request('GET', '/kadastraalonroerendezaken', 'postcode=3511xx&huisnummer=1&huisnummer=2&bsn=1'),
      ),
    );
    expect(refusal.reason).toBe('invalidRequest');
    expect([...refusal.names].sort()).toEqual(['bsn', 'huisnummer', 'postcode']);
  });

  it('reads fields and expand as catalogue paths of the resource, and refuses a query string too long', () => {
    const call = parseHalCall(
      service,
      request('GET', '/kadastraalonroerendezaken/1', 'fields=koopsom,kadastraleAanduiding&expand=zakelijkGerechtigden'),
    );
    expect(call.fields).toEqual(['kadastraalOnroerendeZaak.koopsom', 'kadastraalOnroerendeZaak.kadastraleAanduiding']);
    expect(call.expand).toEqual(['zakelijkGerechtigden']);
    expect(
      refusalOf(() =>
        parseHalCall(service, request('GET', '/kadastraalonroerendezaken', `postcode=${'1'.repeat(3000)}`)),
      ).reason,
    ).toBe('invalidRequest');
  });

  it('reads the BSN search body: only its members, a valid BSN, nothing nested', () => {
    const call = parseHalCall(
      service,
      request('POST', '/kadastraalonroerendezaken', '', '{"burgerservicenummer":"999993653"}'),
    );
    expect(call.operation.id).toBe('ZoekKadastraalOnroerendeZakenMetBsn');
    expect(
      refusalOf(() =>
        parseHalCall(service, request('POST', '/kadastraalonroerendezaken', '', '{"burgerservicenummer":"999993654"}')),
      ).names,
    ).toEqual(['burgerservicenummer']);
    expect(
      refusalOf(() =>
        parseHalCall(service, request('POST', '/kadastraalonroerendezaken', '', '{"x":{"a":{"b":{"c":{}}}}}')),
      ).reason,
    ).toBe('invalidRequest');
    expect(
      refusalOf(() => parseHalCall(service, request('POST', '/kadastraalonroerendezaken', '', '{}'))).names,
    ).toEqual(['burgerservicenummer']);
  });
});

describe('a described service: a parameter the API takes no expand beside', () => {
  it('refuses the caller an expand beside it, and names the searched identifier as the subject', () => {
    const search = (query: string) => parseHalCall(service, request('GET', '/kadastraalonroerendezaken', query));
    expect(refusalOf(() => search('persoon__identificatie=70000000001&expand=zakelijkGerechtigden')).names).toEqual([
      'expand',
    ]);
    expect(
      refusalOf(() =>
        parseHalCall(
          service,
          request(
            'POST',
            '/kadastraalonroerendezaken',
            'expand=zakelijkGerechtigden',
            '{"burgerservicenummer":"999993653"}',
          ),
        ),
      ).names,
    ).toEqual(['expand']);
    expect(search('persoon__identificatie=70000000001').parameters).toEqual({ persoon__identificatie: '70000000001' });
  });
});

describe('a described service: the decision', () => {
  const call = (path: string, query = '') => parseHalCall(service, request('GET', path, query));

  it('refuses an operation the autorisatie does not name, and a parameter whose data it does not cover', () => {
    const byAddress = call('/kadastraalonroerendezaken', 'postcode=3511AB&huisnummer=1');
    expect(refusalOf(() => decideHalCall(service, autorisatie(CATALOGUE, []), byAddress, CATALOGUE)).reason).toBe(
      'unauthorizedParameter',
    );
    const noPostcode = autorisatie(['kadastraalOnroerendeZaak.koopsom'], ['GetKadastraalOnroerendeZaken']);
    expect([...refusalOf(() => decideHalCall(service, noPostcode, byAddress, CATALOGUE)).names].sort()).toEqual([
      'huisnummer',
      'postcode',
    ]);
  });

  it('without fields releases the authorised fields of the resource; a field not authorised is a 403, unknown a 400', () => {
    const granted = autorisatie(
      ['kadastraalOnroerendeZaak.identificatie', 'kadastraalOnroerendeZaak.koopsom'],
      ['GetKadastraalOnroerendeZaak'],
    );
    expect(
      [...decideHalCall(service, granted, call('/kadastraalonroerendezaken/1'), CATALOGUE).releasedFields].sort(),
    ).toEqual([
      'kadastraalOnroerendeZaak.identificatie',
      'kadastraalOnroerendeZaak.koopsom.koopjaar',
      'kadastraalOnroerendeZaak.koopsom.koopsom',
    ]);
    expect(
      refusalOf(() =>
        decideHalCall(service, granted, call('/kadastraalonroerendezaken/1', 'fields=kadastraleAanduiding'), CATALOGUE),
      ).reason,
    ).toBe('unauthorizedField');
    expect(
      refusalOf(() =>
        decideHalCall(service, granted, call('/kadastraalonroerendezaken/1', 'fields=bestaatNiet'), CATALOGUE),
      ).reason,
    ).toBe('invalidRequest');
  });

  it('expands a relation only where its fields are authorised', () => {
    const kozOnly = autorisatie(['kadastraalOnroerendeZaak.identificatie'], ['GetKadastraalOnroerendeZaak']);
    const expand = call('/kadastraalonroerendezaken/1', 'expand=zakelijkGerechtigden');
    expect(refusalOf(() => decideHalCall(service, kozOnly, expand, CATALOGUE)).names).toEqual(['expand']);
    const withShares = autorisatie(
      ['kadastraalOnroerendeZaak.identificatie', 'zakelijkGerechtigde.tenaamstelling'],
      ['GetKadastraalOnroerendeZaak'],
    );
    expect(decideHalCall(service, withShares, expand, CATALOGUE).releasedFields).toContain(
      'zakelijkGerechtigde.tenaamstelling.aandeel.teller',
    );
    expect(
      refusalOf(() =>
        decideHalCall(service, withShares, call('/kadastraalonroerendezaken/1', 'expand=hypotheken'), CATALOGUE),
      ).reason,
    ).toBe('invalidRequest');
  });
});

describe('a described service: the release', () => {
  const SOURCE = 'http://127.0.0.1:8308';
  const parcel = {
    identificatie: '1',
    kadastraleAanduiding: 'Utrecht A 1',
    koopsom: { koopsom: 250000, koopjaar: 2010 },
    geheim: 'never',
    _links: {
      self: { href: `${SOURCE}/kadastraalonroerendezaken/1`, title: 'Suzanne Moulin' },
      zakelijkGerechtigden: [{ href: `${SOURCE}/kadastraalonroerendezaken/1/zakelijkgerechtigden/11` }],
      onbekend: { href: `${SOURCE}/x` },
    },
    _embedded: {
      zakelijkGerechtigden: [
        {
          identificatie: '11',
          persoon: { identificatie: '999993653', type: 'ingeschreven_natuurlijk_persoon', omschrijving: 'S. Moulin' },
          tenaamstelling: { aandeel: { teller: 1, noemer: 2 } },
          _links: { persoon: { href: 'https://brp.example/personen/999993653' } },
        },
        {
          identificatie: '12',
          persoon: { identificatie: '123456789', type: 'ingeschreven_niet_natuurlijk_persoon' },
          tenaamstelling: { aandeel: { teller: 1, noemer: 2 } },
        },
      ],
    },
  };

  const grantFor = (fields: string[], query: string): Grant => {
    const call = parseHalCall(service, request('GET', '/kadastraalonroerendezaken/1', query));
    const a = autorisatie(fields, ['GetKadastraalOnroerendeZaak']);
    const decision = decideHalCall(service, a, call, CATALOGUE);
    return {
      autorisatie: a,
      service,
      call,
      searchType: call.operation.id,
      query: { type: call.operation.id, fields: [] },
      releasedFields: decision.releasedFields,
      expanded: decision.expanded,
    } as unknown as Grant;
  };

  it('releases only authorised fields, links whose identifiers are authorised (moved to the inway, no title), no embedded owners unasked', () => {
    const grant = grantFor(
      ['kadastraalOnroerendeZaak.identificatie', 'kadastraalOnroerendeZaak.koopsom'],
      'fields=koopsom',
    );
    const { body, people } = releaseHal(grant, {
      items: [parcel],
      collection: false,
      sourceBase: SOURCE,
      subjects: [],
    });
    expect(body).toEqual({ koopsom: { koopsom: 250000, koopjaar: 2010 } });
    // The owners the gateway asked for are the records' subjects, though nothing of them left.
    expect(people.map((p) => [p.subjectType, p.subjectId])).toEqual([
      ['BSN', '999993653'],
      ['RSIN', '123456789'],
    ]);
    const withId = grantFor(['kadastraalOnroerendeZaak.identificatie'], 'fields=identificatie');
    expect(releaseHal(withId, { items: [parcel], collection: false, sourceBase: SOURCE, subjects: [] }).body).toEqual({
      identificatie: '1',
      _links: { self: { href: 'https://brk.gateway.test/kadastraalonroerendezaken/1' } },
    });
  });

  it('releases expanded owners with only their authorised fields, and no link to a person whose identifier is not authorised', () => {
    const grant = grantFor(
      ['kadastraalOnroerendeZaak.identificatie', 'zakelijkGerechtigde.tenaamstelling'],
      'expand=zakelijkGerechtigden',
    );
    const { body, people } = releaseHal(grant, {
      items: [parcel],
      collection: false,
      sourceBase: SOURCE,
      subjects: [],
    });
    expect((body._embedded as { zakelijkGerechtigden: unknown[] }).zakelijkGerechtigden).toEqual([
      { tenaamstelling: { aandeel: { teller: 1, noemer: 2 } } },
      { tenaamstelling: { aandeel: { teller: 1, noemer: 2 } } },
    ]);
    expect(JSON.stringify(body)).not.toContain('999993653');
    expect(people[0]?.releasedFields).toContain('zakelijkGerechtigde.tenaamstelling.aandeel.teller');
  });

  it('names the BSN searched for as the subject, also when nothing was found', () => {
    const call = parseHalCall(
      service,
      request('POST', '/kadastraalonroerendezaken', '', '{"burgerservicenummer":"999993653"}'),
    );
    const a = autorisatie(
      ['kadastraalOnroerendeZaak.identificatie', 'zakelijkGerechtigde.persoon.identificatie'],
      [call.operation.id],
    );
    const decision = decideHalCall(service, a, call, CATALOGUE);
    const grant = {
      autorisatie: a,
      service,
      call,
      releasedFields: decision.releasedFields,
      expanded: decision.expanded,
    } as unknown as Grant;
    const { body, people } = releaseHal(grant, { items: [], collection: true, sourceBase: SOURCE, subjects: [] });
    expect(body).toEqual({ _embedded: { kadastraalOnroerendeZaken: [] } });
    expect(people).toEqual([{ released: {}, subjectId: '999993653', subjectType: 'BSN', releasedFields: [] }]);
  });
});
