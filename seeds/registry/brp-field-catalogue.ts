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
}

const field = (
  path: string,
  label: string,
  group: string,
  avgCategory: SeedCatalogueField['avgCategory'] = 'persoonsgegeven',
  bioLevel: SeedCatalogueField['bioLevel'] = 'BBN2',
): SeedCatalogueField => ({ path, label, group, avgCategory, bioLevel });

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
  field('geheimhoudingPersoonsgegevens', 'of uw gegevens geheim zijn voor anderen', 'inschrijving'),
  field('opschortingBijhouding.reden', 'waarom uw gegevens niet meer worden bijgehouden', 'inschrijving'),
  field('opschortingBijhouding.datum', 'sinds wanneer uw gegevens niet meer worden bijgehouden', 'inschrijving'),
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
