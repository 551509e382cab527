import type { Persoon } from '../personen.ts';
import type { BrkFixtures, BrkPersoonRef, BrkResource, BrkZakelijkGerechtigde } from './brk-fixtures.ts';

/*
 * Invented BRK data over RvIG's test persons. What is invented is written here as data (who owns
 * what, with which share, mortgage or beslag); what a person's home looks like (its address and BAG
 * identifications) is read from the person in the BRP, so that both registrations agree.
 */

type Ref = BrkPersoonRef;
type Share = readonly [teller: number, noemer: number];

const bsn = (identificatie: string, omschrijving: string): Ref => ({
  identificatie,
  omschrijving,
  type: 'ingeschreven_natuurlijk_persoon',
});
const rsin = (identificatie: string, omschrijving: string): Ref => ({
  identificatie,
  omschrijving,
  type: 'ingeschreven_niet_natuurlijk_persoon',
});

const EURO = { code: 'EUR', waarde: 'Euro' };
const EIGENDOM = { code: '2', waarde: 'Eigendom (recht van)' };

/** Kadaster persons: in the BRK, not in the BRP (no BSN) or not in the Handelsregister. */
const KADASTER_NATUURLIJK: readonly BrkResource[] = [
  {
    identificatie: '70000000001',
    domein: 'NL.IMKAD.Persoon',
    naam: { voornamen: 'Johanna Maria', voorvoegsel: 'van', geslachtsnaam: 'Verbruggen' },
    geslachtsaanduiding: 'vrouw',
    geboorte: {
      datum: { datum: '1958-03-14', jaar: 1958, maand: 3, dag: 14 },
      plaats: 'Breda',
      land: { code: '6030', waarde: 'Nederland' },
    },
    woonadres: { adresregel1: 'Meir 12', adresregel2: '2000 Antwerpen', land: { code: '5010', waarde: 'België' } },
  },
  {
    identificatie: '70000000002',
    domein: 'NL.IMKAD.Persoon',
    naam: { voornamen: 'Pieter', voorvoegsel: 'van', geslachtsnaam: 'Verbruggen' },
    geslachtsaanduiding: 'man',
    geboorte: {
      datum: { datum: '1961-09-02', jaar: 1961, maand: 9, dag: 2 },
      plaats: 'Breda',
      land: { code: '6030', waarde: 'Nederland' },
    },
    woonadres: {
      adresregel1: 'Calle Mayor 7',
      adresregel2: '03001 Alicante',
      land: { code: '6037', waarde: 'Spanje' },
    },
  },
];

const KADASTER_NIET_NATUURLIJK: readonly BrkResource[] = [
  {
    identificatie: '80000000001',
    domein: 'NL.IMKAD.Persoon',
    statutaireNaam: 'Spaarbank Voorbeeld N.V.',
    statutaireZetel: 'Utrecht',
    rechtsvorm: { code: '13', waarde: 'Naamloze vennootschap' },
    kvkNummer: '90000001',
    rsin: '801234566',
  },
  {
    identificatie: '80000000002',
    domein: 'NL.IMKAD.Persoon',
    statutaireNaam: 'Stichting Voorbeeldwonen',
    statutaireZetel: "'s-Gravenhage",
    rechtsvorm: { code: '15', waarde: 'Stichting' },
    kvkNummer: '90000002',
    rsin: '816003774',
  },
];

const knp = (i: number): Ref => {
  const p = KADASTER_NATUURLIJK[i] as {
    identificatie: string;
    naam: { voornamen: string; voorvoegsel: string; geslachtsnaam: string };
  };
  return {
    identificatie: p.identificatie,
    omschrijving: `${p.naam.voornamen} ${p.naam.voorvoegsel} ${p.naam.geslachtsnaam}`,
    type: 'kadaster_natuurlijk_persoon',
  };
};
const knnp = (i: number): Ref => {
  const p = KADASTER_NIET_NATUURLIJK[i] as { identificatie: string; statutaireNaam: string };
  return { identificatie: p.identificatie, omschrijving: p.statutaireNaam, type: 'kadaster_niet_natuurlijk_persoon' };
};

const SPAARBANK = knnp(0);
const VOORBEELDWONEN = knnp(1);
const HYPOTHEEKFONDS = rsin('822190540', 'Hypotheekfonds Lokaal B.V.');
const BOUWBEDRIJF = rsin('812345678', 'Bouwbedrijf De Voorbeeldsteen B.V.');
const ENERGIELEVERANCIER = rsin('850214439', 'Energieleverancier Voorbeeld N.V.');

/** An address of no BRP person (a business site, an empty flat). */
interface InventedAddress {
  readonly straat: string;
  readonly huisnummer: number;
  readonly huisnummertoevoeging?: string;
  readonly postcode: string;
  readonly woonplaats: string;
  readonly nummeraanduidingIdentificatie: string;
  readonly adresseerbaarObjectIdentificatie: string;
}

interface Zaak {
  readonly type: 'perceel' | 'appartementsrecht';
  readonly kadastraleAanduiding: string;
  readonly grootte?: number;
  readonly cultuur: { bebouwd?: string; onbebouwd?: string };
  readonly koop?: readonly [koopsom: number, koopjaar: number];
  /** The BSN of the person in the BRP whose address this is (their home), or an invented address. */
  readonly adresVan?: string | InventedAddress;
  readonly plaats?: readonly [x: number, y: number];
  readonly eigenaars: readonly (readonly [Ref | string, Share, aanvangsdatum: string])[];
  readonly hypotheken?: readonly (readonly [Ref, bedrag: number])[];
  readonly beslag?: readonly [Ref, bedrag: number, aard: string];
  /** For an appartementsrecht: the index of its grondperceel in ZAKEN. */
  readonly grondperceel?: number;
  readonly gesplitst?: boolean;
}

const ZAKEN: readonly Zaak[] = [
  {
    // Suzanne Moulin owns her home, with a mortgage.
    type: 'perceel',
    kadastraleAanduiding: 'Rotterdam AK 4301',
    grootte: 164,
    cultuur: { bebouwd: 'Wonen' },
    koop: [289000, 2015],
    adresVan: '999993653',
    plaats: [94321.5, 438764.2],
    eigenaars: [['999993653', [1, 1], '2015-08-08']],
    hypotheken: [[SPAARBANK, 260000]],
  },
  {
    // Lance Smit and Marianne de Jong own their home together, half each.
    type: 'perceel',
    kadastraleAanduiding: 'Utrecht E 2215',
    grootte: 212,
    cultuur: { bebouwd: 'Wonen' },
    koop: [98000, 1989],
    adresVan: '999990858',
    plaats: [137402.1, 458391.7],
    eigenaars: [
      ['999990858', [1, 2], '1989-06-01'],
      ['999990949', [1, 2], '1989-06-01'],
    ],
  },
  {
    // Lance Smit's garage box, without an address.
    type: 'perceel',
    kadastraleAanduiding: 'Utrecht E 2290',
    grootte: 18,
    cultuur: { bebouwd: 'Garage' },
    koop: [12500, 1994],
    eigenaars: [['999990858', [1, 1], '1994-02-15']],
  },
  {
    // The ground parcel under Schakelstraat 14, split into two apartment rights.
    type: 'perceel',
    kadastraleAanduiding: 'Amsterdam K 9001',
    grootte: 98,
    cultuur: { bebouwd: 'Wonen (appartementen)' },
    plaats: [121514.3, 488893.4],
    eigenaars: [],
    gesplitst: true,
  },
  {
    // Gerrit den Braber and Wilma van Zon own their flat together, half each, with a mortgage.
    type: 'appartementsrecht',
    kadastraleAanduiding: 'Amsterdam K 9001 A1',
    cultuur: { bebouwd: 'Wonen' },
    koop: [245000, 2004],
    adresVan: '999994542',
    eigenaars: [
      ['999994542', [1, 2], '2004-11-19'],
      ['999993112', [1, 2], '2004-11-19'],
    ],
    hypotheken: [[HYPOTHEEKFONDS, 210000]],
    grondperceel: 3,
  },
  {
    // The flat above it belongs to a Kadaster natural person who lives in Belgium.
    type: 'appartementsrecht',
    kadastraleAanduiding: 'Amsterdam K 9001 A2',
    cultuur: { bebouwd: 'Wonen' },
    koop: [251000, 2004],
    adresVan: {
      straat: 'Schakelstraat',
      huisnummer: 14,
      huisnummertoevoeging: '1',
      postcode: '1014AW',
      woonplaats: 'Amsterdam',
      nummeraanduidingIdentificatie: '0363200000264699',
      adresseerbaarObjectIdentificatie: '0363010000805899',
    },
    eigenaars: [[knp(0), [1, 1], '2004-11-19']],
    grondperceel: 3,
  },
  {
    // Grassland that two Kadaster natural persons inherited together.
    type: 'perceel',
    kadastraleAanduiding: 'Hoogeveen B 812',
    grootte: 24500,
    cultuur: { onbebouwd: 'Grasland' },
    plaats: [233871.0, 528014.6],
    eigenaars: [
      [knp(0), [1, 2], '1999-07-01'],
      [knp(1), [1, 2], '1999-07-01'],
    ],
  },
  {
    // A business site that only a company owns, with a mortgage.
    type: 'perceel',
    kadastraleAanduiding: 'Utrecht N 1733',
    grootte: 3850,
    cultuur: { bebouwd: 'Industrie' },
    koop: [1450000, 2019],
    adresVan: {
      straat: 'Voorbeeldweg',
      huisnummer: 10,
      postcode: '3542AB',
      woonplaats: 'Utrecht',
      nummeraanduidingIdentificatie: '0344200000999001',
      adresseerbaarObjectIdentificatie: '0344010000999001',
    },
    plaats: [132044.8, 457502.3],
    eigenaars: [[BOUWBEDRIJF, [1, 1], '2019-04-30']],
    hypotheken: [[SPAARBANK, 1100000]],
  },
  {
    // A rented home: a housing association owns it, the family that lives there does not.
    type: 'perceel',
    kadastraleAanduiding: "'s-Gravenhage AL 3317",
    grootte: 120,
    cultuur: { bebouwd: 'Wonen' },
    adresVan: '999994931',
    plaats: [78402.5, 452331.9],
    eigenaars: [[VOORBEELDWONEN, [1, 1], '1978-01-01']],
  },
  {
    // Dirk Holthuizen's home, with a mortgage and the one beslag.
    type: 'perceel',
    kadastraleAanduiding: "'s-Gravenhage AC 1402",
    grootte: 540,
    cultuur: { bebouwd: 'Wonen' },
    koop: [185000, 1983],
    adresVan: '999994293',
    plaats: [81230.2, 455910.4],
    eigenaars: [['999994293', [1, 1], '1983-05-20']],
    hypotheken: [[SPAARBANK, 150000]],
    beslag: [ENERGIELEVERANCIER, 12750.4, 'Executoriaal beslag'],
  },
];

const id = (prefix: number, n: number) => `${prefix}${String(n).padStart(10, '0')}`;
const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
const omit = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The BRP person's home address as the BRK's `LocatieKadastraalObject`. */
function homeOf(persoon: Persoon): Record<string, unknown> {
  const adres = get(persoon, 'verblijfplaats.verblijfadres') as Record<string, unknown> | undefined;
  if (!adres) throw new Error(`${persoon.burgerservicenummer} has no address in the BRP`);
  return omit({
    straat: adres.officieleStraatnaam,
    huisnummer: adres.huisnummer,
    huisletter: adres.huisletter,
    huisnummertoevoeging: adres.huisnummertoevoeging,
    postcode: adres.postcode,
    woonplaats: adres.woonplaats,
    nummeraanduidingIdentificatie: get(persoon, 'verblijfplaats.nummeraanduidingIdentificatie'),
    adresseerbaarObjectIdentificatie: get(persoon, 'verblijfplaats.adresseerbaarObjectIdentificatie'),
    koppelingswijze: { code: 'ADM_GEO', waarde: 'administratief en geometrisch' },
  });
}

/**
 * Builds the BRK fixtures from the BRP test persons. Deterministic: the same persons give the same
 * fixtures, id for id. Throws when a person it names is missing from the BRP or has no address.
 *
 * @example
 * const brk = generateBrkFixtures(loadPersonen());
 */
export function generateBrkFixtures(personen: readonly Persoon[]): BrkFixtures {
  const byBsn = new Map(personen.map((p) => [p.burgerservicenummer, p]));
  const person = (burgerservicenummer: string): Persoon => {
    const found = byBsn.get(burgerservicenummer);
    if (!found) throw new Error(`${burgerservicenummer} is not a test person in the BRP`);
    return found;
  };
  const refOf = (owner: Ref | string): Ref =>
    typeof owner === 'string' ? bsn(owner, String(get(person(owner), 'naam.volledigeNaam') ?? owner)) : owner;
  const brpAddresses = new Set(personen.map((p) => get(p, 'verblijfplaats.nummeraanduidingIdentificatie')));
  const counters = { zg: 0, hypotheek: 0, beslag: 0 };
  const zaakId = (index: number) => id(3000, index + 1);
  const zakelijkGerechtigden: Record<string, BrkZakelijkGerechtigde[]> = {};
  const hypotheken: Record<string, BrkResource[]> = {};
  const beslagen: Record<string, BrkResource[]> = {};

  const kadastraalOnroerendeZaken = ZAKEN.map((zaak, index): BrkResource => {
    const identificatie = zaakId(index);
    const gerechtigden = zaak.eigenaars.map(([owner, [teller, noemer], aanvangsdatum]) => ({
      identificatie: id(4000, ++counters.zg),
      type: 'eigenaar',
      aanvangsdatum,
      tenaamstelling: { aandeel: { teller, noemer } },
      persoon: refOf(owner),
    }));
    const zaakHypotheken = (zaak.hypotheken ?? []).map(([houder, som]) => ({
      identificatie: id(5000, ++counters.hypotheek),
      domein: 'NL.IMKAD.Hypotheek',
      aandeelInBetrokkenRecht: { teller: 1, noemer: 1 },
      omschrijvingBetrokkenRecht: EIGENDOM,
      hypotheekhouders: [houder],
      bedragZekerheidsstelling: { som, valuta: EURO },
    }));
    const zaakBeslagen = zaak.beslag
      ? [
          {
            identificatie: id(6000, ++counters.beslag),
            domein: 'NL.IMKAD.Beslag',
            aandeelInBetrokkenRecht: { teller: 1, noemer: 1 },
            omschrijvingBetrokkenRecht: EIGENDOM,
            aard: { code: '2', waarde: zaak.beslag[2] },
            beslagleggers: [zaak.beslag[0]],
            bedragVordering: { som: zaak.beslag[1], valuta: EURO },
          },
        ]
      : [];
    if (gerechtigden.length > 0) zakelijkGerechtigden[identificatie] = gerechtigden;
    if (zaakHypotheken.length > 0) hypotheken[identificatie] = zaakHypotheken;
    if (zaakBeslagen.length > 0) beslagen[identificatie] = zaakBeslagen;

    let adres: Record<string, unknown> | undefined;
    if (typeof zaak.adresVan === 'string') adres = homeOf(person(zaak.adresVan));
    else if (zaak.adresVan) {
      if (brpAddresses.has(zaak.adresVan.nummeraanduidingIdentificatie))
        throw new Error(`${zaak.adresVan.nummeraanduidingIdentificatie} is a BRP address: invent another`);
      adres = { ...zaak.adresVan, koppelingswijze: { code: 'ADM_GEO', waarde: 'administratief en geometrisch' } };
    }
    const apartments = ZAKEN.flatMap((other, i) => (other.grondperceel === index ? [i] : []));
    return omit({
      identificatie,
      domein: 'NL.IMKAD.KadastraalObject',
      type: zaak.type,
      kadastraleAanduiding: zaak.kadastraleAanduiding,
      kadastraleGrootte: zaak.grootte
        ? { waarde: zaak.grootte, soortGrootte: { code: '1', waarde: 'Vastgesteld' } }
        : undefined,
      aardCultuurBebouwd: zaak.cultuur.bebouwd ? { code: 'B', waarde: zaak.cultuur.bebouwd } : undefined,
      aardCultuurOnbebouwd: zaak.cultuur.onbebouwd ? { code: 'O', waarde: zaak.cultuur.onbebouwd } : undefined,
      koopsom: zaak.koop ? { koopsom: zaak.koop[0], koopjaar: zaak.koop[1] } : undefined,
      plaatscoordinaten: zaak.plaats ? { type: 'Point', coordinates: [...zaak.plaats] } : undefined,
      adressen: adres ? [adres] : undefined,
      gesplitstZakelijkRecht: zaak.gesplitst ? 'eigenaar' : undefined,
      zakelijkGerechtigdeIdentificaties: gerechtigden.length > 0 ? gerechtigden.map((g) => g.identificatie) : undefined,
      hypotheekIdentificaties: zaakHypotheken.length > 0 ? zaakHypotheken.map((h) => h.identificatie) : undefined,
      beslagIdentificaties: zaakBeslagen.length > 0 ? zaakBeslagen.map((b) => b.identificatie) : undefined,
      bijbehorendeGrondpercelen:
        zaak.grondperceel === undefined ? undefined : [{ identificatie: zaakId(zaak.grondperceel) }],
      bijbehorendeAppartementsrechten:
        apartments.length > 0 ? apartments.map((i, n) => ({ identificatie: zaakId(i), volgnummer: n + 1 })) : undefined,
    });
  });

  const ownedBy = (ref: string) =>
    Object.entries(zakelijkGerechtigden).flatMap(([zaak, list]) =>
      list.some((g) => g.persoon.identificatie === ref) ? [zaak] : [],
    );
  const withZaken = (p: BrkResource): BrkResource => {
    const zaken = ownedBy(p.identificatie);
    return zaken.length > 0 ? { ...p, kadastraalOnroerendeZaakIdentificaties: zaken } : { ...p };
  };
  return {
    kadastraalOnroerendeZaken,
    zakelijkGerechtigden,
    hypotheken,
    beslagen,
    kadasterNatuurlijkPersonen: KADASTER_NATUURLIJK.map(withZaken),
    kadasterNietNatuurlijkPersonen: KADASTER_NIET_NATUURLIJK.map(withZaken),
  };
}
