import { BRP_FIELD_CATALOGUE, BRP_SEARCH_PARAMETERS } from './brp-field-catalogue.ts';

/**
 * The demo registry: RvIG as bronhouder of the BRP service, Kadaster as bronhouder of the BRK service
 * (brk-registry.ts), four gemeenten and two uitvoeringsorganisaties as afnemers, and an auditor. OINs
 * are fictitious but shaped as real ones (20 digits); real OINs come from Logius' OIN register. Law names, articles and BWB ids are real.
 * Dates are relative to the moment of seeding, so that "expired" and "starts in the future" stay true.
 */

export const DEMO_OIN = {
  rvig: '00000001001000001000',
  utrecht: '00000001000000344000',
  haarlem: '00000001000000392000',
  sHertogenbosch: '00000001000000796000',
  rotterdam: '00000001000000599000',
  uwv: '00000001002000002000',
  svb: '00000001002000003000',
  autoriteitPersoonsgegevens: '00000001003000009000',
  kadaster: '00000001002000005000',
} as const;

export const BRP_SERVICE_ID = 'brp-personen';

type Role = 'afnemer' | 'bronhouder' | 'auditor' | 'registry-admin';
export interface SeedOrganisation {
  readonly oin: string;
  readonly name: string;
  readonly kind: 'gemeente' | 'rijk' | 'uitvoeringsorganisatie' | 'zelfstandig-bestuursorgaan' | 'toezichthouder';
  readonly roles: readonly Role[];
  /** Which curve the demo key of this organisation uses (both are supported; the demo shows both). */
  readonly keyType: 'Ed25519' | 'P-256';
  /** Whom citizens contact about an access (demo addresses under .example: they reach no one). */
  readonly privacyContact: { readonly name: string; readonly email: string; readonly url: string };
}

const contact = (name: string, domain: string) => ({
  name: `Functionaris gegevensbescherming van ${name}`,
  email: `privacy@${domain}.example`,
  url: `https://www.${domain}.example/privacy`,
});

export const DEMO_ORGANISATIONS: readonly SeedOrganisation[] = [
  {
    oin: DEMO_OIN.rvig,
    name: 'Rijksdienst voor Identiteitsgegevens',
    kind: 'rijk',
    roles: ['bronhouder'],
    keyType: 'P-256',
    privacyContact: contact('de Rijksdienst voor Identiteitsgegevens', 'rvig'),
  },
  {
    oin: DEMO_OIN.utrecht,
    name: 'Gemeente Utrecht',
    kind: 'gemeente',
    roles: ['afnemer'],
    keyType: 'Ed25519',
    privacyContact: contact('de gemeente Utrecht', 'utrecht'),
  },
  {
    oin: DEMO_OIN.haarlem,
    name: 'Gemeente Haarlem',
    kind: 'gemeente',
    roles: ['afnemer'],
    keyType: 'Ed25519',
    privacyContact: contact('de gemeente Haarlem', 'haarlem'),
  },
  {
    oin: DEMO_OIN.sHertogenbosch,
    name: "Gemeente 's-Hertogenbosch",
    kind: 'gemeente',
    roles: ['afnemer'],
    keyType: 'P-256',
    privacyContact: contact("de gemeente 's-Hertogenbosch", 's-hertogenbosch'),
  },
  {
    oin: DEMO_OIN.rotterdam,
    name: 'Gemeente Rotterdam',
    kind: 'gemeente',
    roles: ['afnemer'],
    keyType: 'Ed25519',
    privacyContact: contact('de gemeente Rotterdam', 'rotterdam'),
  },
  {
    oin: DEMO_OIN.uwv,
    name: 'Uitvoeringsinstituut Werknemersverzekeringen (UWV)',
    kind: 'uitvoeringsorganisatie',
    roles: ['afnemer'],
    keyType: 'P-256',
    privacyContact: contact('het UWV', 'uwv'),
  },
  {
    oin: DEMO_OIN.svb,
    name: 'Sociale Verzekeringsbank (SVB)',
    kind: 'uitvoeringsorganisatie',
    roles: ['afnemer'],
    keyType: 'Ed25519',
    privacyContact: contact('de SVB', 'svb'),
  },
  {
    oin: DEMO_OIN.autoriteitPersoonsgegevens,
    name: 'Autoriteit Persoonsgegevens',
    kind: 'toezichthouder',
    roles: ['auditor'],
    keyType: 'Ed25519',
    privacyContact: contact('de Autoriteit Persoonsgegevens', 'autoriteitpersoonsgegevens'),
  },
  {
    oin: DEMO_OIN.kadaster,
    name: 'Kadaster',
    kind: 'zelfstandig-bestuursorgaan',
    roles: ['bronhouder'],
    keyType: 'Ed25519',
    privacyContact: contact('het Kadaster', 'kadaster'),
  },
];

const jci = (bwb: string, artikel: string) => `https://wetten.overheid.nl/jci1.3:c:${bwb}&artikel=${artikel}`;

export const DEMO_GRONDSLAGEN = [
  {
    id: 'wet-brp-art-3.3',
    title: 'Verstrekking van gegevens uit de BRP aan overheidsorganen',
    lawName: 'Wet basisregistratie personen',
    article: 'art. 3.3',
    bwbId: 'BWBR0033715',
    url: jci('BWBR0033715', '3.3'),
    avgBasis: 'e',
  },
  {
    id: 'participatiewet-art-7',
    title: 'Taak van het college: bijstand verlenen',
    lawName: 'Participatiewet',
    article: 'art. 7',
    bwbId: 'BWBR0015703',
    url: jci('BWBR0015703', '7'),
    avgBasis: 'c',
  },
  {
    id: 'participatiewet-art-53a',
    title: 'Onderzoek naar de rechtmatigheid van bijstand',
    lawName: 'Participatiewet',
    article: 'art. 53a',
    bwbId: 'BWBR0015703',
    url: jci('BWBR0015703', '53a'),
    avgBasis: 'c',
  },
  {
    id: 'participatiewet-art-34',
    title: 'Middelen: vermogen en inkomen tellen mee bij het recht op bijstand',
    lawName: 'Participatiewet',
    article: 'art. 34',
    bwbId: 'BWBR0015703',
    url: jci('BWBR0015703', '34'),
    avgBasis: 'c',
  },
  {
    id: 'gemeentewet-art-220',
    title: 'Onroerendezaakbelastingen: de eigenarenbelasting van wie op 1 januari het genot heeft krachtens eigendom',
    lawName: 'Gemeentewet',
    article: 'art. 220',
    bwbId: 'BWBR0005416',
    url: jci('BWBR0005416', '220'),
    avgBasis: 'e',
  },
  {
    id: 'wmo-2015-art-2.3.2',
    title: 'Onderzoek na een melding van een hulpvraag',
    lawName: 'Wet maatschappelijke ondersteuning 2015',
    article: 'art. 2.3.2',
    bwbId: 'BWBR0035362',
    url: jci('BWBR0035362', '2.3.2'),
    avgBasis: 'e',
  },
  {
    id: 'jeugdwet-art-7.4.0',
    title: 'Verwerking van persoonsgegevens door het college voor jeugdhulp',
    lawName: 'Jeugdwet',
    article: 'art. 7.4.0',
    bwbId: 'BWBR0034925',
    url: jci('BWBR0034925', '7.4.0'),
    avgBasis: 'e',
  },
  {
    id: 'wet-brp-art-2.55',
    title: 'Ieder mag kosteloos inzien welke gegevens de BRP over hem bevat',
    lawName: 'Wet basisregistratie personen',
    article: 'art. 2.55',
    bwbId: 'BWBR0033715',
    url: jci('BWBR0033715', '2.55'),
    avgBasis: 'c',
  },
  {
    id: 'wet-brp-art-2.58',
    title: 'Ieder mag vragen zijn gegevens in de BRP te verbeteren of aan te vullen',
    lawName: 'Wet basisregistratie personen',
    article: 'art. 2.58',
    bwbId: 'BWBR0033715',
    url: jci('BWBR0033715', '2.58'),
    avgBasis: 'c',
  },
  {
    id: 'wet-brp-art-2.34',
    title: 'Terugmelding: een afnemer die twijfelt aan een gegeven in de BRP meldt dat',
    lawName: 'Wet basisregistratie personen',
    article: 'art. 2.34',
    bwbId: 'BWBR0033715',
    url: jci('BWBR0033715', '2.34'),
    avgBasis: 'c',
  },
  {
    id: 'kadasterwet-art-107',
    title: 'Het Kadaster geeft ieder die erom vraagt inlichtingen uit zijn registraties',
    lawName: 'Kadasterwet',
    article: 'art. 107',
    bwbId: 'BWBR0004541',
    url: jci('BWBR0004541', '107'),
    avgBasis: 'c',
  },
  {
    id: 'kadasterwet-art-7o',
    title: 'Terugmelding: wie twijfelt aan een gegeven in de basisregistratie kadaster meldt dat',
    lawName: 'Kadasterwet',
    article: 'art. 7o',
    bwbId: 'BWBR0004541',
    url: jci('BWBR0004541', '7o'),
    avgBasis: 'c',
  },
  {
    id: 'wet-suwi-art-62',
    title: 'Gegevensverwerking voor de uitvoering van werknemersverzekeringen',
    lawName: 'Wet structuur uitvoeringsorganisatie werk en inkomen',
    article: 'art. 62',
    bwbId: 'BWBR0013060',
    url: jci('BWBR0013060', '62'),
    avgBasis: 'c',
  },
] as const;

const pa = (host: string, slug: string) => `https://${host}/verwerkingsactiviteiten/${slug}`;

export const DEMO_PROCESSING_ACTIVITY = {
  utrechtWmo: pa('www.utrecht.nl', 'wmo-maatwerkvoorziening'),
  utrechtJeugd: pa('www.utrecht.nl', 'jeugdhulp'),
  haarlemBijstand: pa('www.haarlem.nl', 'bijstandsverlening'),
  denBoschFraude: pa('www.s-hertogenbosch.nl', 'onderzoek-bijstandsfraude'),
  rotterdamWmo: pa('www.rotterdam.nl', 'wmo-huishoudelijke-hulp'),
  rotterdamBijstand: pa('www.rotterdam.nl', 'bijstandsverlening'),
  uwvWw: pa('www.uwv.nl', 'ww-uitkering'),
  utrechtOzb: pa('www.utrecht.nl', 'heffing-onroerendezaakbelastingen'),
  haarlemVermogen: pa('www.haarlem.nl', 'bijstand-vermogensonderzoek'),
  rvigInzage: pa('www.rvig.nl', 'inzage-door-de-betrokkene'),
  rvigTerugmelding: pa('www.rvig.nl', 'terugmeldingen-behandelen'),
  kadasterInzage: pa('www.kadaster.nl', 'inzage-door-de-betrokkene'),
  kadasterTerugmelding: pa('www.kadaster.nl', 'terugmeldingen-behandelen'),
} as const;

export const DEMO_PROCESSING_ACTIVITIES = [
  {
    id: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    name: 'Wmo-maatwerkvoorziening',
    doel: 'Onderzoeken welke ondersteuning iemand nodig heeft na een hulpvraag, zoals hulp in huis of een aanpassing van de woning.',
    grondslagIds: ['wmo-2015-art-2.3.2', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.utrecht,
    bewaartermijn: 'P15Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.utrechtJeugd,
    name: 'Jeugdhulp',
    doel: 'Bepalen welke hulp een kind of jongere en het gezin nodig hebben.',
    grondslagIds: ['jeugdwet-art-7.4.0', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.utrecht,
    bewaartermijn: 'P15Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
    name: 'Bijstandsverlening',
    doel: 'Beoordelen of iemand recht heeft op een bijstandsuitkering en hoe hoog die is.',
    grondslagIds: ['participatiewet-art-7', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.haarlem,
    bewaartermijn: 'P7Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.denBoschFraude,
    name: 'Onderzoek naar bijstandsfraude',
    doel: 'Onderzoeken of iemand terecht een bijstandsuitkering krijgt, als daar een aanwijzing voor is.',
    grondslagIds: ['participatiewet-art-53a', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.sHertogenbosch,
    bewaartermijn: 'P10Y',
    // Hidden from the citizen while the investigation runs; lifted (a new version) when it ends.
    vertrouwelijkheid: 'vertrouwelijk',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.rotterdamWmo,
    name: 'Wmo huishoudelijke hulp',
    doel: 'Hulp bij het huishouden regelen voor mensen die dat zelf niet meer kunnen.',
    grondslagIds: ['wmo-2015-art-2.3.2', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.rotterdam,
    bewaartermijn: 'P15Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.rotterdamBijstand,
    name: 'Bijstandsverlening',
    doel: 'Beoordelen of iemand recht heeft op een bijstandsuitkering en hoe hoog die is.',
    grondslagIds: ['participatiewet-art-7', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.rotterdam,
    bewaartermijn: 'P7Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.uwvWw,
    name: 'WW-uitkering',
    doel: 'Beoordelen of iemand recht heeft op een WW-uitkering na werkloosheid.',
    grondslagIds: ['wet-suwi-art-62', 'wet-brp-art-3.3'],
    responsibleOin: DEMO_OIN.uwv,
    bewaartermijn: 'P7Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.utrechtOzb,
    name: 'Heffing onroerendezaakbelastingen',
    doel: 'Nagaan wie op 1 januari eigenaar is van een huis, gebouw of stuk grond, zodat de gemeente de onroerendezaakbelasting (OZB) aan de juiste eigenaar vraagt.',
    grondslagIds: ['gemeentewet-art-220'],
    responsibleOin: DEMO_OIN.utrecht,
    // Belastingaanslagen: seven years, the fiscal bewaarplicht.
    bewaartermijn: 'P7Y',
    vertrouwelijkheid: 'normaal',
  },
  {
    id: DEMO_PROCESSING_ACTIVITY.haarlemVermogen,
    name: 'Vermogensonderzoek bijstand',
    doel: 'Nagaan of iemand die bijstand vraagt of krijgt een huis of grond bezit, en hoeveel hypotheek of beslag daarop rust, omdat bezit meetelt voor het recht op bijstand.',
    grondslagIds: ['participatiewet-art-34', 'participatiewet-art-53a'],
    responsibleOin: DEMO_OIN.haarlem,
    bewaartermijn: 'P7Y',
    vertrouwelijkheid: 'normaal',
  },
  ...(['rvig', 'kadaster'] as const).flatMap((bronhouder) => [
    {
      id: DEMO_PROCESSING_ACTIVITY[`${bronhouder}Inzage`],
      name: 'Inzage door de betrokkene',
      doel: 'U laten zien welke gegevens over u in de registratie staan, omdat u daar zelf om vraagt.',
      grondslagIds: [bronhouder === 'rvig' ? 'wet-brp-art-2.55' : 'kadasterwet-art-107'],
      responsibleOin: DEMO_OIN[bronhouder],
      bewaartermijn: 'P1Y',
      vertrouwelijkheid: 'normaal' as const,
    },
    {
      id: DEMO_PROCESSING_ACTIVITY[`${bronhouder}Terugmelding`],
      name: 'Terugmeldingen behandelen',
      doel: 'Een melding dat een gegeven niet klopt onderzoeken, het gegeven zo nodig verbeteren en de melder laten weten wat er met de melding is gebeurd.',
      grondslagIds: bronhouder === 'rvig' ? ['wet-brp-art-2.58', 'wet-brp-art-2.34'] : ['kadasterwet-art-7o'],
      responsibleOin: DEMO_OIN[bronhouder],
      bewaartermijn: 'P2Y',
      vertrouwelijkheid: 'normaal' as const,
    },
  ]),
] as const;

/** What a demo service offers the citizen it is about: their own data and terugmeldingen, under its bronhouder's activities. */
export const demoBetrokkene = (bronhouder: 'rvig' | 'kadaster', operation: string) => ({
  inzageActivityId: DEMO_PROCESSING_ACTIVITY[`${bronhouder}Inzage`],
  operation,
  terugmeldingActivityId: DEMO_PROCESSING_ACTIVITY[`${bronhouder}Terugmelding`],
});

const NAAM = ['naam.voornamen', 'naam.voorvoegsel', 'naam.geslachtsnaam', 'naam.voorletters'];
const ADRES = [
  'verblijfplaats.type',
  'verblijfplaats.verblijfadres.officieleStraatnaam',
  'verblijfplaats.verblijfadres.huisnummer',
  'verblijfplaats.verblijfadres.huisletter',
  'verblijfplaats.verblijfadres.huisnummertoevoeging',
  'verblijfplaats.verblijfadres.postcode',
  'verblijfplaats.verblijfadres.woonplaats',
];
const DAY = 86_400_000;

/** The demo autorisaties, with validity relative to `now`: one expired, one not yet started. */
export function demoAutorisaties(now: Date) {
  const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  return [
    {
      id: 'utrecht-wmo-brp',
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      fields: ['burgerservicenummer', ...NAAM, 'geboorte.datum', ...ADRES],
      searchTypes: ['RaadpleegMetBurgerservicenummer', 'ZoekMetPostcodeEnHuisnummer'],
      validFrom: at(-365),
    },
    {
      id: 'utrecht-jeugdhulp-brp',
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtJeugd,
      fields: [
        'burgerservicenummer',
        ...NAAM,
        'geboorte.datum',
        'ouders.burgerservicenummer',
        'ouders.naam.geslachtsnaam',
        ...ADRES,
      ],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      // Starts in the future: the contract with the jeugdhulpregio begins next month.
      validFrom: at(30),
    },
    {
      id: 'haarlem-bijstand-brp',
      afnemerOin: DEMO_OIN.haarlem,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
      fields: [
        'burgerservicenummer',
        ...NAAM,
        'geboorte.datum',
        ...ADRES,
        'nationaliteiten.nationaliteit',
        'partners.burgerservicenummer',
        'partners.naam.geslachtsnaam',
        'kinderen.burgerservicenummer',
        'kinderen.geboorte.datum',
      ],
      searchTypes: ['RaadpleegMetBurgerservicenummer', 'ZoekMetGeslachtsnaamEnGeboortedatum'],
      validFrom: at(-200),
      validTo: at(400),
    },
    {
      id: 'den-bosch-fraude-brp',
      afnemerOin: DEMO_OIN.sHertogenbosch,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.denBoschFraude,
      fields: [
        'burgerservicenummer',
        ...NAAM,
        'geboorte.datum',
        ...ADRES,
        'partners.burgerservicenummer',
        'verblijfplaats.datumVan',
      ],
      searchTypes: ['RaadpleegMetBurgerservicenummer', 'ZoekMetPostcodeEnHuisnummer'],
      validFrom: at(-90),
      // Expires within 30 days: an auditor's report lists it.
      validTo: at(20),
    },
    {
      id: 'rotterdam-wmo-brp',
      afnemerOin: DEMO_OIN.rotterdam,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.rotterdamWmo,
      fields: ['burgerservicenummer', ...NAAM, ...ADRES],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      // Expired last month.
      validFrom: at(-730),
      validTo: at(-30),
    },
    {
      id: 'rotterdam-bijstand-brp',
      afnemerOin: DEMO_OIN.rotterdam,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.rotterdamBijstand,
      // Broad on purpose: most of these are never asked for, a data-minimisation finding.
      fields: BRP_FIELD_CATALOGUE.filter((f) => !f.path.startsWith('ouders.') && !f.automatic).map((f) => f.path),
      searchTypes: [
        'RaadpleegMetBurgerservicenummer',
        'ZoekMetGeslachtsnaamEnGeboortedatum',
        'ZoekMetPostcodeEnHuisnummer',
      ],
      validFrom: at(-365),
    },
    {
      id: 'uwv-ww-brp',
      afnemerOin: DEMO_OIN.uwv,
      serviceId: BRP_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
      fields: ['burgerservicenummer', ...NAAM, 'geboorte.datum', ...ADRES, 'overlijden.datum'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
      validFrom: at(-365),
    },
  ];
}

/** The BRP service of RvIG, published at `gatewayUrl`. */
export function brpService(gatewayUrl: string) {
  return {
    id: BRP_SERVICE_ID,
    providerOin: DEMO_OIN.rvig,
    name: 'BRP Personen bevragen',
    gatewayUrl,
    protocol: 'brp-personen-v2' as const,
    fieldCatalogue: BRP_FIELD_CATALOGUE.map((f) => structuredClone(f)),
    dataSubjectPaths: ['personen.burgerservicenummer'],
    searchParameters: BRP_SEARCH_PARAMETERS.map((p) => ({ ...p, selects: [...p.selects] })),
    // Partners, ouders and kinderen are other persons: not the citizen's own data.
    betrokkene: {
      ...demoBetrokkene('rvig', 'RaadpleegMetBurgerservicenummer'),
      anderePersonen: ['partners', 'ouders', 'kinderen'],
    },
  };
}

/**
 * The development identity provider of `examples/dev-idp` (a DigiD stand-in, not for production):
 * its issuer, the audience of its tokens and the lowest DigiD level the gateway accepts from it.
 * Its key is generated on first start and registered by the registry's demo seed.
 */
export const DEV_IDENTITY_PROVIDER = {
  issuer: 'http://localhost:8303',
  name: 'Ontwikkel-inlog (DigiD-vervanger, niet voor productie)',
  audience: 'poortwachter-inzage',
  minimumAssurance: 'midden',
  /** Its token introspection endpoint (RFC 7662), under its issuer URL; `/revoke` beside it logs out. */
  introspectionPath: '/introspect',
  /** Where the demo seed writes its private key, under the data folder's `keys/`. */
  keyFile: 'dev-idp.jwk.json',
} as const;
