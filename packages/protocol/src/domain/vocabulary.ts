/** Closed vocabularies of the registry, from DOMAIN.md and the public standards it names. */

export const ORGANISATION_ROLES = ['afnemer', 'bronhouder', 'auditor', 'registry-admin'] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

export const ORGANISATION_KINDS = [
  'gemeente',
  'provincie',
  'waterschap',
  'rijk',
  'uitvoeringsorganisatie',
  'zelfstandig-bestuursorgaan',
  'toezichthouder',
  'overig',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** AVG category of a field (DOMAIN.md "dataclassificatie"). */
export const AVG_CATEGORIES = [
  'persoonsgegeven',
  'bijzonder',
  'strafrechtelijk',
  'identificatienummer',
  'geen',
] as const;
export type AvgCategory = (typeof AVG_CATEGORIES)[number];

/** BIO confidentiality level (Baseline Informatiebeveiliging Overheid). */
export const BIO_LEVELS = ['BBN1', 'BBN2', 'BBN3'] as const;
export type BioLevel = (typeof BIO_LEVELS)[number];

/** AVG art. 6(1) letters. */
export const AVG_BASES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
export type AvgBasis = (typeof AVG_BASES)[number];

export const VERTROUWELIJKHEID = ['normaal', 'vertrouwelijk', 'opgeheven'] as const;
export type Vertrouwelijkheid = (typeof VERTROUWELIJKHEID)[number];

/** DigiD betrouwbaarheidsniveaus, lowest first. */
export const ASSURANCE_LEVELS = ['basis', 'midden', 'substantieel', 'hoog'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

/**
 * Protocols (API families' profiles) a service can speak, with the search types each knows by itself.
 * A `haal-centraal-hal` service (GET with path and query parameters, `fields` and `expand` in the query,
 * `application/hal+json`) names its operations in its description instead.
 */
export const PROTOCOL_SEARCH_TYPES = {
  'brp-personen-v2': [
    'RaadpleegMetBurgerservicenummer',
    'ZoekMetGeslachtsnaamEnGeboortedatum',
    'ZoekMetNaamEnGemeenteVanInschrijving',
    'ZoekMetPostcodeEnHuisnummer',
    'ZoekMetStraatHuisnummerEnGemeenteVanInschrijving',
    'ZoekMetNummeraanduidingIdentificatie',
    'ZoekMetAdresseerbaarObjectIdentificatie',
  ],
  'haal-centraal-hal': [],
} as const;
export type Protocol = keyof typeof PROTOCOL_SEARCH_TYPES;
export const PROTOCOLS = Object.keys(PROTOCOL_SEARCH_TYPES) as Protocol[];

/** ISO 8601 duration, as used for bewaartermijn (`P20Y`, `P6M`, `P1Y6M`). */
export const ISO_DURATION = '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$';
export const OIN_PATTERN = '^[0-9]{20}$';
/** A field path of a response: dot-separated names (`verblijfplaats.verblijfadres.postcode`). */
export const FIELD_PATH_PATTERN = '^[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z][a-zA-Z0-9]*)*$';
