import { COSIGNATURE_ED25519, formatVkey, noteKeyFromJwk } from '@poortwachter/protocol';
import type { RequestSchemaName } from '../http/schemas.ts';

/** One admin API request: where it goes and a body its schema accepts, with every optional member. */
export interface RequestSample {
  readonly schema: RequestSchemaName;
  readonly method: 'POST' | 'PUT';
  /** Under /v1; an update names a record of the demo data. */
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
}

const OIN = '00000001000000000777';
const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'sample-1' };
/** Stands for a certificate: the schema checks base64 only, the registry the certificate itself. */
const x5c = 'MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGU=';
const validity = { validFrom: '2026-01-01T00:00:00Z', validTo: '2036-01-01T00:00:00Z' };

const organisation = {
  name: 'Gemeente ’s-Hertogenbosch',
  kind: 'gemeente',
  roles: ['afnemer', 'bronhouder'],
  privacyContact: {
    name: 'Functionaris gegevensbescherming',
    email: 'privacy@example.nl',
    phone: '+31 73 000 0000',
    url: 'https://example.nl/privacy',
  },
  webOrigins: ['https://mijn.example.nl'],
};

const service = {
  providerOin: OIN,
  name: 'BRP personen (proef)',
  gatewayUrl: 'https://gateway.example.nl',
  protocol: 'brp-personen-v2',
  fieldCatalogue: [
    {
      path: 'naam.geslachtsnaam',
      label: 'Geslachtsnaam',
      group: 'Naam',
      avgCategory: 'persoonsgegeven',
      bioLevel: 'BBN2',
      automatic: { rule: 'byCategory', member: 'soort', categories: { ouder: ['naam.voornamen'] } },
    },
  ],
  dataSubjectPaths: ['burgerservicenummer'],
  searchParameters: [{ name: 'geslachtsnaam', selects: ['naam.geslachtsnaam'], neutral: 'onbekend' }],
  // Every member of a description; `openApi` is left out: the bronhouder's document is not a registry text.
  description: {
    operations: [
      {
        id: 'GetPersoon',
        method: 'GET',
        path: '/personen/{burgerservicenummer}',
        resource: 'persoon',
        items: 'personen',
        parameters: [
          {
            name: 'burgerservicenummer',
            in: 'path',
            required: true,
            selects: ['naam.geslachtsnaam'],
            neutral: 'geen',
            pattern: '^[0-9]{9}$',
            subjectType: 'BSN',
          },
        ],
        subjectExpand: ['partners'],
        subjectsFrom: 'GetPersoon',
      },
    ],
    resources: {
      persoon: {
        links: [{ rel: 'self', reveals: ['naam.geslachtsnaam'] }],
        relations: [{ name: 'partners', resource: 'persoon' }],
        subjects: [
          {
            path: 'naam.geslachtsnaam',
            idType: 'BSN',
            typePath: 'naam.geslachtsnaam',
            idTypes: { ingeschreven: 'BSN' },
          },
        ],
      },
    },
  },
};

const grondslag = {
  title: 'Wet maatschappelijke ondersteuning 2015, artikel 2.3.2',
  lawName: 'Wet maatschappelijke ondersteuning 2015',
  article: '2.3.2',
  bwbId: 'BWBR0035362',
  url: 'https://wetten.overheid.nl/BWBR0035362',
  avgBasis: 'e',
  ...validity,
};

const activity = {
  name: 'Wmo-maatwerkvoorziening',
  doel: 'Vaststellen of een inwoner recht heeft op ondersteuning.',
  grondslagIds: ['wmo-2015-2.3.2'],
  responsibleOin: OIN,
  bewaartermijn: 'P15Y',
  vertrouwelijkheid: 'vertrouwelijk',
  validFrom: validity.validFrom,
};

const contract = {
  iv: '0b9f7c1e-8a47-4c53-9a55-3e1f0a6d2b11',
  group_id: 'poortwachter',
  validity: { not_before: 1767225600, not_after: 2082758400 },
  grants: [
    {
      data: {
        type: 'GRANT_TYPE_SERVICE_CONNECTION',
        service: { peer_id: '00000001001000001000', name: 'brp-personen' },
        outway: { peer_id: OIN },
        properties: {
          processing_activity_id: 'https://example.nl/verwerkingen/wmo',
          processing_activity_version: 1,
          grondslag_id: 'wmo-2015-2.3.2',
          fields: ['naam.geslachtsnaam'],
          search_types: ['RaadpleegMetBurgerservicenummer'],
        },
      },
    },
  ],
  hash_algorithm: 'HASH_ALGORITHM_SHA3_512',
  created_at: 1767225600,
};
const signature = 'eyJhbGciOiJFZERTQSJ9.eyJ0eXBlIjoiYWNjZXB0In0.c2lnbmF0dXJl';

const identityProvider = {
  name: 'DigiD (proef)',
  jwks: { keys: [jwk] },
  audience: 'poortwachter',
  minimumAssurance: 'substantieel',
  introspectionEndpoint: 'https://idp.example.nl/introspect',
};

/**
 * A request of every admin schema, each body with every member its schema knows: a test changes one
 * text at a time and sees the registry name that member.
 */
// A witness's verifier key (type 0x04) for a fixed public key, as an operator would paste it.
const SAMPLE_WITNESS_VKEY = formatVkey(
  noteKeyFromJwk('getuige.example.nl/proef', COSIGNATURE_ED25519, {
    kty: 'OKP',
    crv: 'Ed25519',
    x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  }),
);

export const REQUEST_SAMPLES: readonly RequestSample[] = [
  {
    schema: 'organisation-create',
    method: 'POST',
    path: '/organisations',
    body: { oin: OIN, ...organisation, keys: [{ jwk, ...validity, x5c: [x5c], endorsement: signature }] },
  },
  { schema: 'organisation-update', method: 'PUT', path: '/organisations/00000001000000344000', body: organisation },
  {
    schema: 'key-create',
    method: 'POST',
    path: '/organisations/00000001000000344000/keys',
    body: { jwk, ...validity, x5c: [x5c], endorsement: signature },
  },
  {
    schema: 'key-certificate',
    method: 'PUT',
    path: '/organisations/00000001000000344000/keys/abc/certificate',
    body: { x5c: [x5c] },
  },
  {
    schema: 'revoke',
    method: 'POST',
    path: '/organisations/00000001000000344000/revoke',
    body: { revokedAt: '2036-01-01T00:00:00Z' },
  },
  { schema: 'service-create', method: 'POST', path: '/services', body: { id: 'brp-proef', ...service } },
  { schema: 'service-update', method: 'PUT', path: '/services/brp-personen', body: service },
  {
    schema: 'witness-create',
    method: 'POST',
    path: '/witnesses',
    body: { vkey: SAMPLE_WITNESS_VKEY, url: 'https://getuige.example.nl', operator: 'Stichting Getuige', quorum: 1 },
  },
  {
    schema: 'witness-remove',
    method: 'POST',
    path: `/witnesses/${encodeURIComponent('getuige.example.nl/proef')}/remove`,
    body: { quorum: 0 },
  },
  { schema: 'witness-quorum', method: 'PUT', path: '/witness-quorum', body: { quorum: 0 } },
  { schema: 'grondslag-create', method: 'POST', path: '/grondslagen', body: { id: 'wmo-2015-2.3.2', ...grondslag } },
  { schema: 'grondslag-update', method: 'PUT', path: '/grondslagen/wmo-2015-2.3.2', body: grondslag },
  {
    schema: 'processing-activity-create',
    method: 'POST',
    path: '/processing-activities',
    body: { id: 'https://example.nl/verwerkingen/wmo', ...activity },
  },
  {
    schema: 'processing-activity-version',
    method: 'PUT',
    path: `/processing-activities/${encodeURIComponent('https://example.nl/verwerkingen/wmo')}`,
    body: activity,
  },
  { schema: 'contract-proposal', method: 'POST', path: '/contracts', body: { content: contract, signature } },
  { schema: 'contract-signature', method: 'POST', path: '/contracts/proef/signatures', body: { signature } },
  {
    schema: 'identity-provider-create',
    method: 'POST',
    path: '/identity-providers',
    body: { issuer: 'https://idp.example.nl', ...identityProvider },
  },
  {
    schema: 'identity-provider-update',
    method: 'PUT',
    path: `/identity-providers/${encodeURIComponent('https://idp.example.nl')}`,
    body: identityProvider,
  },
];

/**
 * Every text in a body with its member's name as the registry gives it (`fieldCatalogue[0].label`),
 * and a copy of the body with that text replaced.
 */
export function textMembers(
  body: unknown,
  name = '',
): { name: string; value: string; replace: (text: string) => unknown }[] {
  if (typeof body === 'string') return [{ name: name || 'body', value: body, replace: (text) => text }];
  if (Array.isArray(body)) {
    return body.flatMap((item, i) =>
      textMembers(item, `${name}[${i}]`).map((m) => ({
        ...m,
        replace: (text: string) => body.map((other, j) => (j === i ? m.replace(text) : other)),
      })),
    );
  }
  if (body !== null && typeof body === 'object') {
    return Object.entries(body).flatMap(([key, value]) =>
      textMembers(value, name ? `${name}.${key}` : key).map((m) => ({
        ...m,
        replace: (text: string) => ({ ...body, [key]: m.replace(text) }),
      })),
    );
  }
  return [];
}
