/**
 * The field catalogue of the BRP service: every path of a `Persoon` (BRP API Personen 2.x) that the
 * service can release, with a label a citizen understands (B1), a group word for the citizen view,
 * the AVG category and the BIO level. Paths are relative to one person in `personen`; a test checks
 * each against the spec.
 */
export interface SeedCatalogueField {
  readonly path: string;
  readonly label: string;
  readonly group: string;
  readonly avgCategory: 'persoonsgegeven' | 'bijzonder' | 'strafrechtelijk' | 'identificatienummer' | 'geen';
  readonly bioLevel: 'BBN1' | 'BBN2' | 'BBN3';
  readonly automatic?:
    | { readonly rule: 'always' | 'besideRequested' }
    | { readonly rule: 'byCategory'; readonly member: string; readonly categories: Record<string, string[]> };
}

const field = (
  path: string,
  label: string,
  group: string,
  avgCategory: SeedCatalogueField['avgCategory'] = 'persoonsgegeven',
  bioLevel: SeedCatalogueField['bioLevel'] = 'BBN2',
): SeedCatalogueField => ({ path, label, group, avgCategory, bioLevel });

const automatic = (f: SeedCatalogueField, delivery: NonNullable<SeedCatalogueField['automatic']>) => ({
  ...f,
  automatic: delivery,
});

const naam = (prefix: string, wie: string, group: string) => [
  field(`${prefix}naam.voornamen`, `voornamen${wie}`, group),
  field(`${prefix}naam.voorvoegsel`, `voorvoegsel van de achternaam${wie}`, group),
  field(`${prefix}naam.geslachtsnaam`, `achternaam${wie}`, group),
  field(`${prefix}naam.voorletters`, `voorletters${wie}`, group),
  field(`${prefix}naam.adellijkeTitelPredicaat`, `adellijke titel${wie}`, group),
];

export const BRP_FIELD_CATALOGUE: readonly SeedCatalogueField[] = [
  field('burgerservicenummer', 'burgerservicenummer (BSN)', 'burgerservicenummer', 'identificatienummer', 'BBN2'),
  field('aNummer', 'administratienummer (A-nummer)', 'burgerservicenummer', 'identificatienummer', 'BBN2'),
  field('geslacht', 'geslacht', 'geslacht'),
  ...naam('', '', 'naam'),
  field('naam.volledigeNaam', 'volledige naam', 'naam'),
  field('naam.aanduidingNaamgebruik', 'hoe u uw naam gebruikt', 'naam'),
  field('geboorte.datum', 'geboortedatum', 'geboortedatum'),
  field('geboorte.plaats', 'geboorteplaats', 'geboorteplaats'),
  field('geboorte.land', 'geboorteland', 'geboorteplaats'),
  field('leeftijd', 'leeftijd', 'geboortedatum'),
  field('overlijden.datum', 'datum van overlijden', 'overlijden'),
  field('overlijden.plaats', 'plaats van overlijden', 'overlijden'),
  field('overlijden.land', 'land van overlijden', 'overlijden'),
  field('nationaliteiten.type', 'soort nationaliteit', 'nationaliteit'),
  field('nationaliteiten.nationaliteit', 'nationaliteit', 'nationaliteit'),
  field('nationaliteiten.redenOpname', 'reden waarom u de nationaliteit heeft', 'nationaliteit'),
  field('nationaliteiten.datumIngangGeldigheid', 'sinds wanneer u de nationaliteit heeft', 'nationaliteit'),
  field('verblijfplaats.type', 'soort adres (in Nederland, buitenland of onbekend)', 'adres'),
  field('verblijfplaats.functieAdres', 'woonadres of briefadres', 'adres'),
  field('verblijfplaats.datumVan', 'sinds wanneer u op dit adres woont', 'adres'),
  field('verblijfplaats.verblijfadres.officieleStraatnaam', 'straat', 'adres'),
  field('verblijfplaats.verblijfadres.korteStraatnaam', 'straat (korte naam)', 'adres'),
  field('verblijfplaats.verblijfadres.huisnummer', 'huisnummer', 'adres'),
  field('verblijfplaats.verblijfadres.huisletter', 'huisletter', 'adres'),
  field('verblijfplaats.verblijfadres.huisnummertoevoeging', 'toevoeging bij het huisnummer', 'adres'),
  field('verblijfplaats.verblijfadres.aanduidingBijHuisnummer', 'aanduiding bij het huisnummer', 'adres'),
  field('verblijfplaats.verblijfadres.postcode', 'postcode', 'adres'),
  field('verblijfplaats.verblijfadres.woonplaats', 'woonplaats', 'adres'),
  field('verblijfplaats.verblijfadres.locatiebeschrijving', 'beschrijving van de plek waar u woont', 'adres'),
  field('verblijfplaats.verblijfadres.regel1', 'adres in het buitenland (regel 1)', 'adres'),
  field('verblijfplaats.verblijfadres.regel2', 'adres in het buitenland (regel 2)', 'adres'),
  field('verblijfplaats.verblijfadres.regel3', 'adres in het buitenland (regel 3)', 'adres'),
  field('verblijfplaats.verblijfadres.land', 'land van uw adres', 'adres'),
  field(
    'verblijfplaats.adresseerbaarObjectIdentificatie',
    'code van uw woning in de BAG',
    'adres',
    'persoonsgegeven',
    'BBN1',
  ),
  field(
    'verblijfplaats.nummeraanduidingIdentificatie',
    'code van uw adres in de BAG',
    'adres',
    'persoonsgegeven',
    'BBN1',
  ),
  field('gemeenteVanInschrijving', 'gemeente waar u staat ingeschreven', 'adres'),
  field('datumInschrijvingInGemeente', 'sinds wanneer u in de gemeente staat ingeschreven', 'adres'),
  field('datumEersteInschrijvingGBA', 'datum van uw eerste inschrijving', 'inschrijving'),
  // Delivered automatically, as the spec says (PersonenQuery.fields): never asked for, never authorised,
  // always released where they apply, and logged as released.
  automatic(field('geheimhoudingPersoonsgegevens', 'of uw gegevens geheim zijn voor anderen', 'inschrijving'), {
    rule: 'always',
  }),
  automatic(field('opschortingBijhouding', 'of en waarom uw gegevens niet meer worden bijgehouden', 'inschrijving'), {
    rule: 'always',
  }),
  automatic(field('inOnderzoek', 'welke van de gevraagde gegevens worden onderzocht', 'inschrijving'), {
    rule: 'besideRequested',
  }),
  automatic(field('rni', 'welke organisatie uw gegevens uit het buitenland aanleverde', 'inschrijving'), {
    rule: 'byCategory',
    member: 'categorie',
    // The categories whose RNI-deelnemer the BRP delivers: 01 Persoon, 04 Nationaliteit, 06 Overlijden, 08 Verblijfplaats.
    categories: {
      Persoon: ['burgerservicenummer', 'aNummer', 'geslacht', 'naam', 'geboorte', 'leeftijd'],
      Nationaliteit: ['nationaliteiten'],
      Overlijden: ['overlijden'],
      Verblijfplaats: ['verblijfplaats', 'gemeenteVanInschrijving', 'datumInschrijvingInGemeente'],
    },
  }),
  automatic(field('verificatie', 'wanneer en waarmee uw gegevens zijn gecontroleerd', 'inschrijving'), {
    rule: 'always',
  }),
  field('partners.burgerservicenummer', 'BSN van uw partner', 'partner', 'identificatienummer'),
  ...naam('partners.', ' van uw partner', 'partner'),
  field('partners.geslacht', 'geslacht van uw partner', 'partner'),
  field('partners.geboorte.datum', 'geboortedatum van uw partner', 'partner'),
  field('partners.soortVerbintenis', 'huwelijk of geregistreerd partnerschap', 'partner'),
  field('partners.aangaanHuwelijkPartnerschap.datum', 'datum van uw huwelijk of partnerschap', 'partner'),
  field('partners.aangaanHuwelijkPartnerschap.plaats', 'plaats van uw huwelijk of partnerschap', 'partner'),
  field('partners.aangaanHuwelijkPartnerschap.land', 'land van uw huwelijk of partnerschap', 'partner'),
  field('partners.ontbindingHuwelijkPartnerschap.datum', 'datum van uw scheiding', 'partner'),
  field('ouders.burgerservicenummer', 'BSN van uw ouders', 'ouders', 'identificatienummer'),
  field('ouders.ouderAanduiding', 'ouder 1 of ouder 2', 'ouders'),
  ...naam('ouders.', ' van uw ouders', 'ouders'),
  field('ouders.geslacht', 'geslacht van uw ouders', 'ouders'),
  field('ouders.geboorte.datum', 'geboortedatum van uw ouders', 'ouders'),
  field('ouders.datumIngangFamilierechtelijkeBetrekking', 'sinds wanneer iemand uw ouder is volgens de wet', 'ouders'),
  field('kinderen.burgerservicenummer', 'BSN van uw kinderen', 'kinderen', 'identificatienummer'),
  ...naam('kinderen.', ' van uw kinderen', 'kinderen'),
  field('kinderen.geboorte.datum', 'geboortedatum van uw kinderen', 'kinderen'),
];

/**
 * The search parameters of the BRP service and the fields each selects on (DOMAIN.md: "search
 * parameters are data too"). An afnemer may search with a parameter only when its autorisatie covers
 * those fields; `inclusiefOverledenPersonen: false` is the default and selects nothing. A test checks
 * that every parameter of every search type of the spec is here.
 */
export const BRP_SEARCH_PARAMETERS = [
  { name: 'burgerservicenummer', selects: ['burgerservicenummer'] },
  { name: 'gemeenteVanInschrijving', selects: ['gemeenteVanInschrijving'] },
  { name: 'inclusiefOverledenPersonen', selects: ['overlijden.datum'], neutral: false },
  { name: 'geboortedatum', selects: ['geboorte.datum'] },
  { name: 'geslachtsnaam', selects: ['naam.geslachtsnaam'] },
  { name: 'voornamen', selects: ['naam.voornamen'] },
  { name: 'voorvoegsel', selects: ['naam.voorvoegsel'] },
  { name: 'geslacht', selects: ['geslacht'] },
  { name: 'postcode', selects: ['verblijfplaats.verblijfadres.postcode'] },
  { name: 'huisnummer', selects: ['verblijfplaats.verblijfadres.huisnummer'] },
  { name: 'huisletter', selects: ['verblijfplaats.verblijfadres.huisletter'] },
  { name: 'huisnummertoevoeging', selects: ['verblijfplaats.verblijfadres.huisnummertoevoeging'] },
  // The source matches the official or the short street name; both name the same street.
  { name: 'straat', selects: ['verblijfplaats.verblijfadres.officieleStraatnaam'] },
  { name: 'nummeraanduidingIdentificatie', selects: ['verblijfplaats.nummeraanduidingIdentificatie'] },
  { name: 'adresseerbaarObjectIdentificatie', selects: ['verblijfplaats.adresseerbaarObjectIdentificatie'] },
] as const satisfies readonly { name: string; selects: readonly string[]; neutral?: boolean }[];
