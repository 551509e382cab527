import { loadBrkOpenApi } from '../openapi/brk-openapi.ts';
import { BRK_FIELD_CATALOGUE } from './brk-field-catalogue.ts';
import { BRK_SERVICE_DESCRIPTION, BRK_SERVICE_ID } from './brk-service.ts';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, demoBetrokkene } from './demo-registry.ts';

/**
 * Kadaster's BRK bevragen service in the demo registry and the autorisaties on it: Utrecht for its
 * onroerendezaakbelastingen, Haarlem for the vermogensonderzoek of its bijstand.
 */

/** Kadaster's BRK bevragen 2.0 service, published at `gatewayUrl`, with the spec its description is checked against. */
export function brkService(gatewayUrl: string) {
  return {
    id: BRK_SERVICE_ID,
    providerOin: DEMO_OIN.kadaster,
    name: 'BRK bevragen',
    gatewayUrl,
    protocol: 'haal-centraal-hal' as const,
    fieldCatalogue: BRK_FIELD_CATALOGUE.map((f) => structuredClone(f)),
    // Where the owners' identifiers sit; the description says which identifier type each one is.
    dataSubjectPaths: ['zakelijkGerechtigde.persoon.identificatie'],
    description: structuredClone(BRK_SERVICE_DESCRIPTION),
    openApi: loadBrkOpenApi(),
    betrokkene: demoBetrokkene('kadaster', 'ZoekKadastraalOnroerendeZakenMetBsn'),
  };
}

const KOZ = [
  'kadastraalOnroerendeZaak.identificatie',
  'kadastraalOnroerendeZaak.type',
  'kadastraalOnroerendeZaak.kadastraleAanduiding',
];
const KOZ_ADRES = [
  'kadastraalOnroerendeZaak.adressen.straat',
  'kadastraalOnroerendeZaak.adressen.huisnummer',
  'kadastraalOnroerendeZaak.adressen.huisletter',
  'kadastraalOnroerendeZaak.adressen.huisnummertoevoeging',
  'kadastraalOnroerendeZaak.adressen.postcode',
  'kadastraalOnroerendeZaak.adressen.woonplaats',
];
const EIGENAREN = [
  'kadastraalOnroerendeZaak.zakelijkGerechtigdeIdentificaties',
  'zakelijkGerechtigde.identificatie',
  'zakelijkGerechtigde.type',
  'zakelijkGerechtigde.tenaamstelling.aandeel.teller',
  'zakelijkGerechtigde.tenaamstelling.aandeel.noemer',
  'zakelijkGerechtigde.persoon.identificatie',
  'zakelijkGerechtigde.persoon.type',
];
const DAY = 86_400_000;

/** The demo autorisaties on BRK bevragen, with validity relative to `now`. */
export function brkAutorisaties(now: Date) {
  const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  return [
    {
      id: 'utrecht-ozb-brk',
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: BRK_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtOzb,
      fields: [
        ...KOZ,
        ...KOZ_ADRES,
        'kadastraalOnroerendeZaak.adressen.nummeraanduidingIdentificatie',
        'kadastraalOnroerendeZaak.kadastraleGrootte.waarde',
        'kadastraalOnroerendeZaak.aardCultuurBebouwd.waarde',
        ...EIGENAREN,
        'zakelijkGerechtigde.persoon.omschrijving',
      ],
      // By address or kadastrale aanduiding, then the parcel and who owns it.
      searchTypes: ['GetKadastraalOnroerendeZaken', 'GetKadastraalOnroerendeZaak', 'GetZakelijkGerechtigden'],
      validFrom: at(-365),
    },
    {
      id: 'haarlem-vermogen-brk',
      afnemerOin: DEMO_OIN.haarlem,
      serviceId: BRK_SERVICE_ID,
      processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemVermogen,
      fields: [
        ...KOZ,
        ...KOZ_ADRES,
        'kadastraalOnroerendeZaak.koopsom.koopsom',
        'kadastraalOnroerendeZaak.koopsom.koopjaar',
        'kadastraalOnroerendeZaak.hypotheekIdentificaties',
        'kadastraalOnroerendeZaak.beslagIdentificaties',
        ...EIGENAREN,
        'hypotheek.identificatie',
        'hypotheek.bedragZekerheidsstelling.som',
        'hypotheek.hypotheekhouders.omschrijving',
        'beslag.identificatie',
        'beslag.aard.waarde',
        'beslag.bedragVordering.som',
      ],
      // What someone who asks for bijstand owns (by BSN), its owners, and what rests on it.
      searchTypes: [
        'ZoekKadastraalOnroerendeZakenMetBsn',
        'GetKadastraalOnroerendeZaak',
        'GetZakelijkGerechtigden',
        'GetHypothekenKadastraalOnroerendeZaak',
        'GetBeslagenKadastraalOnroerendeZaak',
      ],
      validFrom: at(-200),
    },
  ];
}
