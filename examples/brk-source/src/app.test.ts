import { type Listening, listen } from '@poortwachter/operations';
import { brkFieldPaths, createBrkValidator, loadBrkFixtures } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrkSourceApp } from './app.ts';

const BRP_URL = 'http://brp.example:8301';
const SUZANNE_HOME = '30000000000001';
const JOINT_HOME = '30000000000002';
const GROUND_PARCEL = '30000000000004';
const APARTMENT = '30000000000005';
const COMPANY_PARCEL = '30000000000008';
const BESLAG_PARCEL = '30000000000010';
const KADASTER_PERSOON = '70000000001';
const BANK = '80000000001';

const validator = createBrkValidator();
let listening: Listening;
let base: string;
const called = new Set<string>();
const hrefs: string[] = [];

beforeAll(async () => {
  let app: ReturnType<typeof createBrkSourceApp> | undefined;
  listening = await listen({
    fetch: (request) => (app as NonNullable<typeof app>).fetch(request),
    port: 0,
    hostname: '127.0.0.1',
    forThisMachineOnly: true,
  });
  base = listening.url;
  app = createBrkSourceApp({ fixtures: loadBrkFixtures(), publicUrl: base, brpUrl: BRP_URL });
});
afterAll(async () => {
  await new Promise((resolve) => listening.server.close(resolve));
});

// biome-ignore lint/suspicious/noExplicitAny: the answers are JSON that the assertions walk; the spec validation types them
type Body = Record<string, any>;

/**
 * Calls the source over HTTP and validates the answer against the spec's schema for the operation,
 * status and media type (an operation of `undefined`: a path the spec does not have, a `Foutbericht`).
 */
async function call(operationId: string | undefined, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  const mediaType = res.headers.get('content-type') ?? '';
  const body = (await res.json()) as Body;
  const result =
    operationId === undefined || res.status === 415
      ? validator.validate('Foutbericht', body)
      : validator.validateResponse(operationId, res.status, mediaType, body);
  expect(result.valid ? [] : result.errors, `${path}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([]);
  expect(mediaType).toBe(res.status === 200 ? 'application/hal+json' : 'application/problem+json');
  if (operationId && res.status === 200) called.add(operationId);
  JSON.stringify(body, (key, value) => {
    if (key === 'href') hrefs.push(value);
    return value;
  });
  return { status: res.status, body };
}
const get = (operationId: string | undefined, path: string, headers: Record<string, string> = {}) =>
  call(operationId, path, { headers });
const postBsn = (body: unknown, contentType = 'application/json') =>
  call('ZoekKadastraalOnroerendeZakenMetBsn', '/kadastraalonroerendezaken', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const ids = (list: Body[] | undefined) => (list ?? []).map((item) => item.identificatie);
const names = (body: Body) => (body.invalidParams as Body[]).map((p) => `${p.name}:${p.code}`);

describe('example BRK source, over HTTP, every answer valid against BRK bevragen 2.0', () => {
  const zaken = 'GetKadastraalOnroerendeZaken';

  it('finds Suzanne Moulin’s home by postcode and huisnummer, and embeds its zakelijk gerechtigde', async () => {
    const { status, body } = await get(
      zaken,
      '/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31&expand=zakelijkGerechtigden',
    );
    expect(status).toBe(200);
    const [zaak] = body._embedded.kadastraalOnroerendeZaken;
    expect(zaak.identificatie).toBe(SUZANNE_HOME);
    expect(zaak._links.self.href).toBe(`${base}/kadastraalonroerendezaken/${SUZANNE_HOME}`);
    expect(zaak._links.hypotheken).toHaveLength(1);
    const [gerechtigde] = zaak._embedded.zakelijkGerechtigden;
    expect(gerechtigde.persoon).toMatchObject({ identificatie: '999993653', type: 'ingeschreven_natuurlijk_persoon' });
    expect(gerechtigde._links.persoon.href).toBe(`${BRP_URL}/personen/999993653`);
    expect(gerechtigde.tenaamstelling.aandeel).toEqual({ teller: 1, noemer: 1 });
  });

  it('expands single fields of the zakelijk gerechtigden, and leaves the person’s link out with them', async () => {
    const { body } = await get(
      zaken,
      `/kadastraalonroerendezaken?nummeraanduidingIdentificatie=0344200000046850&fields=kadastraleAanduiding&expand=zakelijkGerechtigden.tenaamstelling.aandeel`,
    );
    const [zaak] = body._embedded.kadastraalOnroerendeZaken;
    expect(Object.keys(zaak).sort()).toEqual(['_embedded', '_links', 'kadastraleAanduiding']);
    expect(Object.keys(zaak._links)).toEqual(['self']);
    expect(zaak._embedded.zakelijkGerechtigden.map((g: Body) => g.tenaamstelling.aandeel)).toEqual([
      { teller: 1, noemer: 2 },
      { teller: 1, noemer: 2 },
    ]);
    expect(zaak._embedded.zakelijkGerechtigden.every((g: Body) => !g.persoon && !g._links.persoon)).toBe(true);
  });

  it('searches by kadastrale aanduiding and by a full address (huisletter, toevoeging)', async () => {
    const byAanduiding = await get(
      zaken,
      `/kadastraalonroerendezaken?kadastraleAanduiding=${encodeURIComponent('Amsterdam K 9001 A1')}`,
    );
    const [apartment] = byAanduiding.body._embedded.kadastraalOnroerendeZaken;
    expect(apartment).toMatchObject({ identificatie: APARTMENT, type: 'appartementsrecht' });
    expect(apartment._links.bijbehorendeGrondpercelen).toEqual([
      { href: `${base}/kadastraalonroerendezaken/${GROUND_PARCEL}` },
    ]);
    const byAdres = await get(zaken, '/kadastraalonroerendezaken?postcode=1014AW&huisnummer=14&huisnummertoevoeging=h');
    expect(ids(byAdres.body._embedded.kadastraalOnroerendeZaken)).toEqual([APARTMENT]);
    const none = await get(zaken, '/kadastraalonroerendezaken?postcode=1014AW&huisnummer=14&huisletter=Z');
    expect(none.body._embedded.kadastraalOnroerendeZaken).toEqual([]);
  });

  it('searches by a Kadaster person, without telling who else holds a right, and not by BSN', async () => {
    const { body } = await get(zaken, `/kadastraalonroerendezaken?persoon__identificatie=${KADASTER_PERSOON}`);
    const found = body._embedded.kadastraalOnroerendeZaken as Body[];
    expect(found.length).toBe(2);
    expect(found.every((z) => !z.zakelijkGerechtigdeIdentificaties && !z._links.zakelijkGerechtigden)).toBe(true);
    const byBsn = await get(zaken, '/kadastraalonroerendezaken?persoon__identificatie=999993653');
    expect(byBsn.body._embedded.kadastraalOnroerendeZaken).toEqual([]);
    const expand = await get(
      zaken,
      `/kadastraalonroerendezaken?persoon__identificatie=${KADASTER_PERSOON}&expand=zakelijkGerechtigden`,
    );
    expect(expand.status).toBe(400);
    expect(names(expand.body)).toEqual(['expand:expand']);
  });

  it('refuses no category, two categories, a missing postcode, unknown and repeated parameters and bad values', async () => {
    const none = await get(zaken, '/kadastraalonroerendezaken?fields=koopsom');
    expect([none.status, none.body.code]).toEqual([400, 'paramsRequired']);
    const two = await get(
      zaken,
      '/kadastraalonroerendezaken?postcode=3077AW&nummeraanduidingIdentificatie=0599200000219678',
    );
    expect([two.status, two.body.code]).toEqual([400, 'paramsCombination']);
    const noPostcode = await get(zaken, '/kadastraalonroerendezaken?huisnummer=31');
    expect([noPostcode.body.code, names(noPostcode.body)]).toEqual(['paramsRequired', ['postcode:required']]);
    const unknown = await get(
      zaken,
      '/kadastraalonroerendezaken?postcode=3077AW&kleur=rood&kadastraleAanduidingMetGemeentecode=GVH00%20C%201277',
    );
    expect([unknown.body.code, names(unknown.body)]).toEqual([
      'paramsValidation',
      ['kleur:unknownParam', 'kadastraleAanduidingMetGemeentecode:unknownParam'],
    ]);
    const bad = await get(zaken, '/kadastraalonroerendezaken?postcode=3077aw&huisnummer=abc&huisletter=AB');
    expect(names(bad.body)).toEqual(['postcode:pattern', 'huisnummer:integer', 'huisletter:pattern']);
    const repeated = await get(zaken, '/kadastraalonroerendezaken?postcode=3077AW&postcode=3011KD');
    expect(names(repeated.body)).toEqual(['postcode:unique']);
    const fields = await get(zaken, '/kadastraalonroerendezaken?postcode=3077AW&fields=koopsom.bedrag,,');
    expect(names(fields.body)).toEqual(['fields:fields']);
    const expand = await get(zaken, '/kadastraalonroerendezaken?postcode=3077AW&expand=eigenaren');
    expect(names(expand.body)).toEqual(['expand:expand']);
    const xml = await get(zaken, '/kadastraalonroerendezaken?postcode=3077AW', { accept: 'application/xml' });
    expect([xml.status, xml.body.code]).toEqual([406, 'notAcceptable']);
  });

  it('finds the zaken of a person by BSN in a body, with fields', async () => {
    const { status, body } = await postBsn({ burgerservicenummer: '999993653' });
    expect(status).toBe(200);
    const [home] = body._embedded.kadastraalOnroerendeZaken;
    expect(home.identificatie).toBe(SUZANNE_HOME);
    expect(home.zakelijkGerechtigdeIdentificaties).toBeUndefined();
    expect(home.adressen[0]).toMatchObject({ postcode: '3077AW', huisnummer: 31 });
    const lance = await postBsn({ burgerservicenummer: '999990858', fields: 'kadastraleAanduiding,koopsom.koopjaar' });
    expect(lance.body._embedded.kadastraalOnroerendeZaken.map((z: Body) => z.kadastraleAanduiding)).toEqual([
      'Utrecht E 2215',
      'Utrecht E 2290',
    ]);
    expect((await postBsn({ burgerservicenummer: '999999999' })).body._embedded.kadastraalOnroerendeZaken).toEqual([]);
  });

  it('refuses a bad BSN body: invalid BSN, unknown member, missing BSN, unknown field, not JSON, not application/json', async () => {
    expect(names((await postBsn({ burgerservicenummer: '12345' })).body)).toEqual(['burgerservicenummer:pattern']);
    expect(names((await postBsn({ burgerservicenummer: '1234567890' })).body)).toEqual([
      'burgerservicenummer:maxLength',
    ]);
    expect(names((await postBsn({ burgerservicenummer: '999993653', kleur: 'rood' })).body)).toEqual([
      'kleur:unknownParam',
    ]);
    expect(names((await postBsn({ fields: 'koopsom' })).body)).toEqual(['burgerservicenummer:required']);
    expect(names((await postBsn({ burgerservicenummer: '999993653', fields: 'eigenaar' })).body)).toEqual([
      'fields:fields',
    ]);
    expect(names((await postBsn('{"burgerservicenummer":')).body)).toEqual(['body:json']);
    const text = await postBsn({ burgerservicenummer: '999993653' }, 'text/plain');
    expect([text.status, text.body.code]).toEqual([415, 'unsupportedMediaType']);
    const query = await call(
      'ZoekKadastraalOnroerendeZakenMetBsn',
      '/kadastraalonroerendezaken?burgerservicenummer=999993653',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ burgerservicenummer: '999993653' }),
      },
    );
    expect(names(query.body)).toEqual(['burgerservicenummer:unknownParam']);
  });

  it('raadpleegt a zaak with fields and expand, and answers 404 for one that does not exist', async () => {
    const zaak = 'GetKadastraalOnroerendeZaak';
    const full = await get(zaak, `/kadastraalonroerendezaken/${BESLAG_PARCEL}`);
    expect(full.body._links.beslagen).toEqual([
      { href: `${base}/kadastraalonroerendezaken/${BESLAG_PARCEL}/beslagen/60000000000001` },
    ]);
    const some = await get(
      zaak,
      `/kadastraalonroerendezaken/${JOINT_HOME}?fields=koopsom.koopsom,zakelijkGerechtigdeIdentificaties&expand=zakelijkGerechtigden`,
    );
    expect(some.body.koopsom).toEqual({ koopsom: 98000 });
    expect(some.body._links.zakelijkGerechtigden).toHaveLength(2);
    expect(some.body._embedded.zakelijkGerechtigden.map((g: Body) => g._links.persoon.href)).toEqual([
      `${BRP_URL}/personen/999990858`,
      `${BRP_URL}/personen/999990949`,
    ]);
    const ground = await get(zaak, `/kadastraalonroerendezaken/${GROUND_PARCEL}?expand=privaatrechtelijkeBeperkingen`);
    expect(ground.body._links.bijbehorendeAppartementsrechten).toHaveLength(2);
    expect(ground.body._embedded).toEqual({ privaatrechtelijkeBeperkingen: [] });
    for (const id of ['99999999999999', 'abc', '..%2F..%2Fetc']) {
      const missing = await get(zaak, `/kadastraalonroerendezaken/${id}`);
      expect([missing.status, missing.body.code]).toEqual([404, 'notFound']);
    }
    expect(names((await get(zaak, `/kadastraalonroerendezaken/${SUZANNE_HOME}?fields=eigenaar`)).body)).toEqual([
      'fields:fields',
    ]);
    expect(names((await get(zaak, `/kadastraalonroerendezaken/${SUZANNE_HOME}?type=eigenaar`)).body)).toEqual([
      'type:unknownParam',
    ]);
  });

  it('lists and raadpleegt zakelijk gerechtigden: persons with a BSN, Kadaster persons, companies', async () => {
    const list = 'GetZakelijkGerechtigden';
    const one = 'GetZakelijkGerechtigde';
    const joint = await get(list, `/kadastraalonroerendezaken/${JOINT_HOME}/zakelijkgerechtigden?type=eigenaar`);
    expect(joint.body._embedded.zakelijkGerechtigden.map((g: Body) => g.persoon.identificatie)).toEqual([
      '999990858',
      '999990949',
    ]);
    const noneOfType = await get(list, `/kadastraalonroerendezaken/${JOINT_HOME}/zakelijkgerechtigden?type=erfpachter`);
    expect(noneOfType.body._embedded.zakelijkGerechtigden).toEqual([]);
    const badType = await get(list, `/kadastraalonroerendezaken/${JOINT_HOME}/zakelijkgerechtigden?type=huurder`);
    expect(names(badType.body)).toEqual(['type:enum']);
    const ground = await get(list, `/kadastraalonroerendezaken/${GROUND_PARCEL}/zakelijkgerechtigden`);
    expect(ground.body).toMatchObject({ gesplitstZakelijkRecht: 'eigenaar', _embedded: { zakelijkGerechtigden: [] } });
    const company = await get(list, `/kadastraalonroerendezaken/${COMPANY_PARCEL}/zakelijkgerechtigden?fields=persoon`);
    const [owner] = company.body._embedded.zakelijkGerechtigden;
    expect(owner.persoon).toMatchObject({ type: 'ingeschreven_niet_natuurlijk_persoon', identificatie: '812345678' });
    expect(owner._links.persoon).toBeUndefined();
    const kadaster = await get(list, `/kadastraalonroerendezaken/${APARTMENT}/zakelijkgerechtigden`);
    expect(kadaster.status).toBe(200);
    const other = await get(list, '/kadastraalonroerendezaken/30000000000006/zakelijkgerechtigden');
    const [verbruggen] = other.body._embedded.zakelijkGerechtigden;
    expect(verbruggen._links.persoon.href).toBe(`${base}/kadasternatuurlijkpersonen/${KADASTER_PERSOON}`);
    const single = await get(
      one,
      `/kadastraalonroerendezaken/${SUZANNE_HOME}/zakelijkgerechtigden/40000000000001?fields=tenaamstelling`,
    );
    expect(Object.keys(single.body).sort()).toEqual(['_links', 'tenaamstelling']);
    const elsewhere = await get(one, `/kadastraalonroerendezaken/${JOINT_HOME}/zakelijkgerechtigden/40000000000001`);
    expect(elsewhere.status).toBe(404);
    expect((await get(list, '/kadastraalonroerendezaken/1/zakelijkgerechtigden')).status).toBe(404);
    expect(
      names(
        (await get(one, `/kadastraalonroerendezaken/${SUZANNE_HOME}/zakelijkgerechtigden/40000000000001?fields=naam`))
          .body,
      ),
    ).toEqual(['fields:fields']);
  });

  it('lists and raadpleegt hypotheken and the beslag', async () => {
    const hypotheken = await get(
      'GetHypothekenKadastraalOnroerendeZaak',
      `/kadastraalonroerendezaken/${SUZANNE_HOME}/hypotheken`,
    );
    const [hypotheek] = hypotheken.body._embedded.hypotheken;
    expect(hypotheek.hypotheekhouders[0]).toMatchObject({
      identificatie: BANK,
      type: 'kadaster_niet_natuurlijk_persoon',
    });
    expect(hypotheek._links.hypotheekhouders).toEqual([{ href: `${base}/kadasternietnatuurlijkpersonen/${BANK}` }]);
    const one = await get(
      'GetHypotheek',
      `/kadastraalonroerendezaken/${SUZANNE_HOME}/hypotheken/${hypotheek.identificatie}?fields=bedragZekerheidsstelling.som`,
    );
    expect(one.body).toEqual({
      bedragZekerheidsstelling: { som: 260000 },
      _links: {
        self: { href: `${base}/kadastraalonroerendezaken/${SUZANNE_HOME}/hypotheken/${hypotheek.identificatie}` },
      },
    });
    expect(
      (await get('GetHypothekenKadastraalOnroerendeZaak', `/kadastraalonroerendezaken/${JOINT_HOME}/hypotheken`)).body
        ._embedded.hypotheken,
    ).toEqual([]);
    expect((await get('GetHypotheek', `/kadastraalonroerendezaken/${SUZANNE_HOME}/hypotheken/1`)).status).toBe(404);
    expect(
      names((await get('GetHypotheek', `/kadastraalonroerendezaken/${SUZANNE_HOME}/hypotheken/1?fields=rente`)).body),
    ).toEqual(['fields:fields']);
    const beslagen = await get(
      'GetBeslagenKadastraalOnroerendeZaak',
      `/kadastraalonroerendezaken/${BESLAG_PARCEL}/beslagen?fields=aard,bedragVordering`,
    );
    expect(beslagen.body._embedded.beslagen[0].aard.waarde).toBe('Executoriaal beslag');
    const beslag = await get('GetBeslag', `/kadastraalonroerendezaken/${BESLAG_PARCEL}/beslagen/60000000000001`);
    expect(beslag.body.beslagleggers[0].type).toBe('ingeschreven_niet_natuurlijk_persoon');
    expect((await get('GetBeslag', `/kadastraalonroerendezaken/${SUZANNE_HOME}/beslagen/60000000000001`)).status).toBe(
      404,
    );
  });

  it('raadpleegt Kadaster persons, natuurlijk and niet-natuurlijk', async () => {
    const persoon = await get('GetKadasterPersoon', `/kadasternatuurlijkpersonen/${KADASTER_PERSOON}`);
    expect(persoon.body.naam.geslachtsnaam).toBe('Verbruggen');
    expect(persoon.body._links.kadastraalOnroerendeZaken).toHaveLength(2);
    const naam = await get(
      'GetKadasterPersoon',
      `/kadasternatuurlijkpersonen/${KADASTER_PERSOON}?fields=naam.voornamen`,
    );
    expect(naam.body).toEqual({
      naam: { voornamen: 'Johanna Maria' },
      _links: { self: { href: `${base}/kadasternatuurlijkpersonen/${KADASTER_PERSOON}` } },
    });
    expect((await get('GetKadasterPersoon', `/kadasternatuurlijkpersonen/${BANK}`)).status).toBe(404);
    const bank = await get(
      'GetKadasterNietNatuurlijkPersoon',
      `/kadasternietnatuurlijkpersonen/${BANK}?fields=statutaireNaam,rsin`,
    );
    expect(bank.body).toMatchObject({ statutaireNaam: 'Spaarbank Voorbeeld N.V.', rsin: '801234566' });
    expect(
      names(
        (await get('GetKadasterNietNatuurlijkPersoon', `/kadasternietnatuurlijkpersonen/${BANK}?fields=naam`)).body,
      ),
    ).toEqual(['fields:fields']);
  });

  it('answers an unknown path with a 404 problem, and /healthz', async () => {
    const unknown = await get(undefined, '/stukken/1');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'notFound']);
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', kadastraalOnroerendeZaken: 10 });
  });

  it('called every operation it serves, and every link is absolute, at this source or the BRP', () => {
    expect([...called].sort()).toEqual([
      'GetBeslag',
      'GetBeslagenKadastraalOnroerendeZaak',
      'GetHypotheek',
      'GetHypothekenKadastraalOnroerendeZaak',
      'GetKadasterNietNatuurlijkPersoon',
      'GetKadasterPersoon',
      'GetKadastraalOnroerendeZaak',
      'GetKadastraalOnroerendeZaken',
      'GetZakelijkGerechtigde',
      'GetZakelijkGerechtigden',
      'ZoekKadastraalOnroerendeZakenMetBsn',
    ]);
    expect(hrefs.length).toBeGreaterThan(30);
    for (const href of hrefs)
      expect(href.startsWith(`${base}/`) || href.startsWith(`${BRP_URL}/personen/`), href).toBe(true);
  });

  it('names only properties of the resource’s schema (the spec’s schemas alone allow any)', async () => {
    const { body } = await get(zaken, '/kadastraalonroerendezaken?postcode=1014AW&expand=zakelijkGerechtigden');
    const paths = (value: unknown, prefix = ''): string[] =>
      Array.isArray(value)
        ? value.flatMap((v) => paths(v, prefix))
        : value && typeof value === 'object'
          ? Object.entries(value).flatMap(([k, v]) => [prefix + k, ...paths(v, `${prefix}${k}.`)])
          : [];
    const zaakPaths = brkFieldPaths('KadastraalOnroerendeZaak');
    const gerechtigdePaths = brkFieldPaths('ZakelijkGerechtigde');
    for (const zaak of body._embedded.kadastraalOnroerendeZaken as Body[]) {
      const { _links, _embedded, ...own } = zaak;
      expect(paths(own).filter((p) => !zaakPaths.has(p))).toEqual([]);
      for (const g of _embedded.zakelijkGerechtigden as Body[]) {
        const { _links: __, ...ownG } = g;
        expect(paths(ownG).filter((p) => !gerechtigdePaths.has(p))).toEqual([]);
      }
    }
  });
});
