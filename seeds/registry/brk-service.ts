import type { OperationParameter, ServiceDescription } from '@poortwachter/protocol';

/**
 * Kadaster's BRK bevragen 2.0 as the registry describes it (issue 26): the operations an afnemer may
 * call through an inway, what each parameter selects on, the links and relations of each resource and
 * where the data subjects (the zakelijk gerechtigden) are. Catalogue paths start with the resource's
 * name. The registry checks it against `seeds/openapi/brk-bevragen-2.0.0.openapi.yaml`.
 */

/** Identifiers in BRK paths: digits only (Kadaster's object ids), so that a path cannot traverse. */
const ID = '^[0-9]{1,20}$';

const koz = {
  name: 'kadastraalOnroerendeZaakIdentificatie',
  in: 'path',
  required: true,
  pattern: ID,
  selects: ['kadastraalOnroerendeZaak.identificatie'],
} as const satisfies OperationParameter;

/** The persons who hold a right on a parcel: persons in the BRP by BSN, Kadaster persons, companies by RSIN. */
const owners = [
  {
    path: 'zakelijkGerechtigde.persoon.identificatie',
    typePath: 'zakelijkGerechtigde.persoon.type',
    idTypes: {
      ingeschreven_natuurlijk_persoon: 'BSN',
      kadaster_natuurlijk_persoon: 'KadasterNatuurlijkPersoon',
      ingeschreven_niet_natuurlijk_persoon: 'RSIN',
      kadaster_niet_natuurlijk_persoon: 'KadasterNietNatuurlijkPersoon',
    },
  },
] as const;

export const BRK_SERVICE_DESCRIPTION = {
  operations: [
    {
      id: 'GetKadastraalOnroerendeZaken',
      method: 'GET',
      path: '/kadastraalonroerendezaken',
      resource: 'kadastraalOnroerendeZaak',
      items: 'kadastraalOnroerendeZaken',
      subjectExpand: ['zakelijkGerechtigden'],
      parameters: [
        {
          name: 'kadastraleAanduiding',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.kadastraleAanduiding'],
          pattern: "^([a-zA-Z0-9'][a-zA-Z0-9' ,-]*[a-zA-Z0-9]) ([A-IK-Z]{1,2}) ([1-9][0-9]{0,4})( A[1-9][0-9]{0,3})?$",
        },
        {
          name: 'postcode',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.adressen.postcode'],
          pattern: '^[1-9][0-9]{3}[A-Z]{2}$',
        },
        {
          name: 'huisnummer',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.adressen.huisnummer'],
          pattern: '^[1-9][0-9]{0,4}$',
        },
        {
          name: 'huisletter',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.adressen.huisletter'],
          pattern: '^[a-zA-Z]$',
        },
        {
          name: 'huisnummertoevoeging',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.adressen.huisnummertoevoeging'],
          pattern: '^[a-zA-Z0-9]{1,4}$',
        },
        {
          name: 'nummeraanduidingIdentificatie',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.adressen.nummeraanduidingIdentificatie'],
          pattern: '^[0-9]{16}$',
        },
        {
          // A Kadaster person or company (never a BSN: that is the POST); the answer names no owners.
          name: 'persoon__identificatie',
          in: 'query',
          selects: ['zakelijkGerechtigde.persoon.identificatie'],
          pattern: ID,
          subjectType: 'KadasterPersoon',
          withoutExpand: true,
        },
      ],
    },
    {
      id: 'ZoekKadastraalOnroerendeZakenMetBsn',
      method: 'POST',
      path: '/kadastraalonroerendezaken',
      resource: 'kadastraalOnroerendeZaak',
      items: 'kadastraalOnroerendeZaken',
      parameters: [
        {
          name: 'burgerservicenummer',
          in: 'body',
          required: true,
          pattern: '^[0-9]{9}$',
          selects: ['zakelijkGerechtigde.persoon.identificatie'],
          subjectType: 'BSN',
          withoutExpand: true,
        },
      ],
    },
    {
      id: 'GetKadastraalOnroerendeZaak',
      method: 'GET',
      path: '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}',
      resource: 'kadastraalOnroerendeZaak',
      subjectExpand: ['zakelijkGerechtigden'],
      parameters: [koz],
    },
    {
      id: 'GetZakelijkGerechtigden',
      method: 'GET',
      path: '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}/zakelijkgerechtigden',
      resource: 'zakelijkGerechtigde',
      items: 'zakelijkGerechtigden',
      parameters: [koz],
    },
    {
      id: 'GetZakelijkGerechtigde',
      method: 'GET',
      path: '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}/zakelijkgerechtigden/{zakelijkGerechtigdeIdentificatie}',
      resource: 'zakelijkGerechtigde',
      parameters: [
        koz,
        {
          name: 'zakelijkGerechtigdeIdentificatie',
          in: 'path',
          required: true,
          pattern: ID,
          selects: ['zakelijkGerechtigde.identificatie'],
        },
      ],
    },
    {
      id: 'GetHypothekenKadastraalOnroerendeZaak',
      method: 'GET',
      path: '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}/hypotheken',
      resource: 'hypotheek',
      items: 'hypotheken',
      subjectsFrom: 'GetZakelijkGerechtigden',
      parameters: [koz],
    },
    {
      id: 'GetBeslagenKadastraalOnroerendeZaak',
      method: 'GET',
      path: '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}/beslagen',
      resource: 'beslag',
      items: 'beslagen',
      subjectsFrom: 'GetZakelijkGerechtigden',
      parameters: [koz],
    },
    {
      id: 'GetKadasterPersoon',
      method: 'GET',
      path: '/kadasternatuurlijkpersonen/{kadasterNatuurlijkPersoonIdentificatie}',
      resource: 'kadasterNatuurlijkPersoon',
      parameters: [
        {
          name: 'kadasterNatuurlijkPersoonIdentificatie',
          in: 'path',
          required: true,
          pattern: ID,
          selects: ['kadasterNatuurlijkPersoon.identificatie'],
          subjectType: 'KadasterNatuurlijkPersoon',
        },
      ],
    },
    {
      id: 'GetKadasterNietNatuurlijkPersoon',
      method: 'GET',
      path: '/kadasternietnatuurlijkpersonen/{kadasterNietNatuurlijkPersoonIdentificatie}',
      resource: 'kadasterNietNatuurlijkPersoon',
      parameters: [
        {
          name: 'kadasterNietNatuurlijkPersoonIdentificatie',
          in: 'path',
          required: true,
          pattern: ID,
          selects: ['kadasterNietNatuurlijkPersoon.identificatie'],
          subjectType: 'KadasterNietNatuurlijkPersoon',
        },
      ],
    },
  ],
  resources: {
    kadastraalOnroerendeZaak: {
      links: [
        { rel: 'self', reveals: ['kadastraalOnroerendeZaak.identificatie'] },
        {
          rel: 'zakelijkGerechtigden',
          reveals: [
            'kadastraalOnroerendeZaak.identificatie',
            'kadastraalOnroerendeZaak.zakelijkGerechtigdeIdentificaties',
          ],
        },
        {
          rel: 'hypotheken',
          reveals: ['kadastraalOnroerendeZaak.identificatie', 'kadastraalOnroerendeZaak.hypotheekIdentificaties'],
        },
        {
          rel: 'beslagen',
          reveals: ['kadastraalOnroerendeZaak.identificatie', 'kadastraalOnroerendeZaak.beslagIdentificaties'],
        },
      ],
      relations: [{ name: 'zakelijkGerechtigden', resource: 'zakelijkGerechtigde' }],
      subjects: owners,
    },
    zakelijkGerechtigde: {
      links: [
        { rel: 'self', reveals: ['zakelijkGerechtigde.identificatie'] },
        // The href names the person: a BSN (ingeschreven), a Kadaster person id or an RSIN.
        { rel: 'persoon', reveals: ['zakelijkGerechtigde.persoon.identificatie'] },
      ],
      subjects: owners,
    },
    hypotheek: {
      links: [{ rel: 'self', reveals: ['hypotheek.identificatie'] }],
    },
    beslag: {
      links: [{ rel: 'self', reveals: ['beslag.identificatie'] }],
    },
    kadasterNatuurlijkPersoon: {
      links: [{ rel: 'self', reveals: ['kadasterNatuurlijkPersoon.identificatie'] }],
      subjects: [{ path: 'kadasterNatuurlijkPersoon.identificatie', idType: 'KadasterNatuurlijkPersoon' }],
    },
    kadasterNietNatuurlijkPersoon: {
      links: [{ rel: 'self', reveals: ['kadasterNietNatuurlijkPersoon.identificatie'] }],
      subjects: [{ path: 'kadasterNietNatuurlijkPersoon.identificatie', idType: 'KadasterNietNatuurlijkPersoon' }],
    },
  },
} as const satisfies ServiceDescription;

export const BRK_SERVICE_ID = 'brk-bevragen';
