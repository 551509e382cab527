import type { SeedCatalogueField } from './brp-field-catalogue.ts';

/**
 * The field catalogue of Kadaster's BRK bevragen service: the useful fields of its six resources, each
 * path starting with the resource's name, with a label a citizen understands (B1), a group word, the
 * AVG category and the BIO level. Facts about what someone owns are personal data; identifiers are
 * `identificatienummer`; a company's own data is not personal data. A test checks each path against
 * the spec.
 */

type Avg = SeedCatalogueField['avgCategory'];
type Bio = SeedCatalogueField['bioLevel'];

/** Fields of one resource: `[path below the resource, label, avgCategory?, bioLevel?]`. */
const fields = (
  resource: string,
  group: string,
  entries: readonly (readonly [string, string, Avg?, Bio?])[],
): SeedCatalogueField[] =>
  entries.map(([path, label, avgCategory = 'persoonsgegeven', bioLevel = 'BBN2']) => ({
    path: `${resource}.${path}`,
    label,
    group,
    avgCategory,
    bioLevel,
  }));

const ID = 'identificatienummer';

const adres = (prefix: string, wie: string) =>
  [
    [`${prefix}.straat`, `straat${wie}`],
    [`${prefix}.huisnummer`, `huisnummer${wie}`],
    [`${prefix}.huisletter`, `huisletter${wie}`],
    [`${prefix}.huisnummertoevoeging`, `toevoeging bij het huisnummer${wie}`],
    [`${prefix}.postcode`, `postcode${wie}`],
    [`${prefix}.woonplaats`, `woonplaats${wie}`],
  ] as const;

export const BRK_FIELD_CATALOGUE: readonly SeedCatalogueField[] = [
  ...fields('kadastraalOnroerendeZaak', 'huis of grond', [
    ['identificatie', 'nummer van het huis of de grond bij het Kadaster', ID],
    ['type', 'soort: een stuk grond (perceel) of een appartement', 'geen', 'BBN1'],
    ['kadastraleAanduiding', 'kadastrale aanduiding (gemeente, sectie en nummer)', ID],
    ['kadastraleGrootte.waarde', 'oppervlakte van de grond in vierkante meters'],
    ['aardCultuurBebouwd.waarde', 'wat er op de grond gebouwd is (bijvoorbeeld wonen)'],
    ['aardCultuurOnbebouwd.waarde', 'waarvoor de onbebouwde grond gebruikt wordt'],
    ['koopsom.koopsom', 'koopsom: voor hoeveel het gekocht is'],
    ['koopsom.koopjaar', 'jaar waarin het gekocht is'],
    ['koopsom.indicatieMetMeerObjectenVerkregen', 'of het samen met ander huis of grond gekocht is'],
    ['zakelijkGerechtigdeIdentificaties', 'nummers van de rechten van de eigenaren', ID],
    ['hypotheekIdentificaties', 'nummers van de hypotheken', ID],
    ['beslagIdentificaties', 'nummers van de beslagen', ID],
  ]),
  ...fields('kadastraalOnroerendeZaak', 'adres van huis of grond', [
    ...adres('adressen', ' van het huis of de grond'),
    ['adressen.nummeraanduidingIdentificatie', 'nummer van het adres in de BAG', ID],
    ['adressen.adresseerbaarObjectIdentificatie', 'nummer van het gebouwdeel in de BAG', ID],
  ]),
  ...fields('zakelijkGerechtigde', 'eigenaar', [
    ['identificatie', 'nummer van het recht van de eigenaar', ID],
    ['type', 'soort recht (bijvoorbeeld eigendom of erfpacht)'],
    ['aanvangsdatum', 'sinds wanneer iemand dit recht heeft'],
    ['tenaamstelling.aandeel.teller', 'welk deel iemand bezit (het getal boven de streep)'],
    ['tenaamstelling.aandeel.noemer', 'welk deel iemand bezit (het getal onder de streep)'],
    ['tenaamstelling.burgerlijkeStaatTenTijdeVanVerkrijging.waarde', 'of iemand getrouwd was toen het gekocht werd'],
    ['persoon.identificatie', 'nummer van de eigenaar (burgerservicenummer, Kadasternummer of RSIN)', ID],
    ['persoon.type', 'soort eigenaar: een persoon of een organisatie'],
    ['persoon.omschrijving', 'naam van de eigenaar'],
    ['erfpachtCanon.jaarlijksBedrag.som', 'bedrag dat de erfpachter elk jaar betaalt'],
  ]),
  ...fields('hypotheek', 'hypotheek', [
    ['identificatie', 'nummer van de hypotheek bij het Kadaster', ID],
    ['bedragZekerheidsstelling.som', 'bedrag waarvoor de hypotheek is ingeschreven'],
    ['bedragZekerheidsstelling.valuta.code', 'munteenheid van dat bedrag', 'geen', 'BBN1'],
    ['hypotheekhouders.omschrijving', 'naam van de bank of geldgever van de hypotheek'],
    ['hypotheekhouders.identificatie', 'nummer van de geldgever van de hypotheek', ID],
    ['aandeelInBetrokkenRecht.teller', 'op welk deel de hypotheek rust (boven de streep)'],
    ['aandeelInBetrokkenRecht.noemer', 'op welk deel de hypotheek rust (onder de streep)'],
  ]),
  ...fields('beslag', 'beslag', [
    ['identificatie', 'nummer van het beslag bij het Kadaster', ID],
    ['aard.code', 'code van de soort beslag', 'persoonsgegeven', 'BBN3'],
    ['aard.waarde', 'soort beslag (bijvoorbeeld beslag door een schuldeiser)', 'persoonsgegeven', 'BBN3'],
    ['bedragVordering.som', 'bedrag waarvoor beslag is gelegd', 'persoonsgegeven', 'BBN3'],
    ['beslagleggers.omschrijving', 'wie het beslag heeft gelegd', 'persoonsgegeven', 'BBN3'],
  ]),
  ...fields('kadasterNatuurlijkPersoon', 'persoon bij het Kadaster', [
    ['identificatie', 'nummer van de persoon bij het Kadaster', ID],
    ['naam.voornamen', 'voornamen'],
    ['naam.voorvoegsel', 'voorvoegsel van de achternaam'],
    ['naam.geslachtsnaam', 'achternaam'],
    ['geboorte.datum.datum', 'geboortedatum'],
    ['geboorte.plaats', 'geboorteplaats'],
    ['overlijden.datum.datum', 'datum van overlijden'],
    ...adres('woonadres', ' van het woonadres'),
  ]),
  ...fields('kadasterNietNatuurlijkPersoon', 'organisatie', [
    ['identificatie', 'nummer van de organisatie bij het Kadaster', ID],
    ['statutaireNaam', 'naam van de organisatie', 'geen', 'BBN1'],
    ['statutaireZetel', 'plaats waar de organisatie gevestigd is', 'geen', 'BBN1'],
    ['rechtsvorm.waarde', 'soort organisatie (bijvoorbeeld bv of stichting)', 'geen', 'BBN1'],
    ['kvkNummer', 'nummer bij de Kamer van Koophandel', ID, 'BBN1'],
    ['rsin', 'RSIN: het nummer van de organisatie bij de overheid', ID, 'BBN1'],
  ]),
];
