import type { BrkPersoonRef, BrkResource } from './brk-fixtures.ts';

/*
 * The invented part of the BRK fixtures, as data: who owns what, with which share, mortgage or beslag,
 * and the Kadaster persons and companies. What a BRP person's home looks like is not here: the
 * generator reads it from the person in the BRP (generate-brk.ts).
 */

/** A person as a zakelijk gerechtigde, hypotheekhouder or beslaglegger names it. */
export type Ref = BrkPersoonRef;
type Share = readonly [teller: number, noemer: number];

/** A person in the BRP, by BSN. */
export const bsn = (identificatie: string, omschrijving: string): Ref => ({
  identificatie,
  omschrijving,
  type: 'ingeschreven_natuurlijk_persoon',
});
const rsin = (identificatie: string, omschrijving: string): Ref => ({
  identificatie,
  omschrijving,
  type: 'ingeschreven_niet_natuurlijk_persoon',
});

export const EURO = { code: 'EUR', waarde: 'Euro' };
export const EIGENDOM = { code: '2', waarde: 'Eigendom (recht van)' };

/** Kadaster persons: in the BRK, not in the BRP (no BSN) or not in the Handelsregister. */
export const KADASTER_NATUURLIJK: readonly BrkResource[] = [
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

export const KADASTER_NIET_NATUURLIJK: readonly BrkResource[] = [
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
export interface InventedAddress {
  readonly straat: string;
  readonly huisnummer: number;
  readonly huisnummertoevoeging?: string;
  readonly postcode: string;
  readonly woonplaats: string;
  readonly nummeraanduidingIdentificatie: string;
  readonly adresseerbaarObjectIdentificatie: string;
}

/** One invented kadastraal onroerende zaak: its kind, its owners with their shares, its mortgages and beslag. */
export interface Zaak {
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

/** The zaken, in the order of their identifications (`30000000000001` is the first). */
export const ZAKEN: readonly Zaak[] = [
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
