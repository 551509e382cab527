import {
  ASSURANCE_LEVELS,
  AVG_BASES,
  AVG_CATEGORIES,
  BIO_LEVELS,
  FIELD_PATH_PATTERN,
  ISO_DURATION,
  OIN_PATTERN,
  OPERATION_METHODS,
  ORGANISATION_KINDS,
  ORGANISATION_ROLES,
  PARAMETER_LOCATIONS,
  PROTOCOLS,
  VERTROUWELIJKHEID,
  VISIBLE_TEXT_PATTERN,
} from '@poortwachter/protocol';

/**
 * JSON Schemas (2020-12) of every request body of the admin API. They are served at
 * `GET /v1/schemas/{name}` so that clients can validate before sending.
 */
const dateTime = { type: 'string', format: 'date-time' } as const;
const oin = { type: 'string', pattern: OIN_PATTERN, description: 'OIN: exactly 20 digits' } as const;
const text = (maxLength = 500) => ({ type: 'string', minLength: 1, maxLength }) as const;
const validity = { validFrom: dateTime, validTo: { anyOf: [dateTime, { type: 'null' }] } } as const;

const witnessQuorum = {
  type: 'integer',
  minimum: 0,
  maximum: 100,
  description:
    'How many listed witnesses must cosign a head from this change on: a majority of them (more than half, at most all).',
} as const;

const object = (required: readonly string[], properties: Record<string, unknown>) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

const jwk = {
  type: 'object',
  description: 'A public JWK: Ed25519 (kty OKP) or P-256 (kty EC). Private keys are refused.',
  required: ['kty'],
  properties: {
    kty: { enum: ['OKP', 'EC'] },
    crv: { enum: ['Ed25519', 'P-256'] },
    x: { type: 'string' },
    y: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    use: { type: 'string' },
  },
} as const;

const keyInput = {
  type: 'object',
  required: ['jwk'],
  additionalProperties: false,
  properties: {
    jwk,
    ...validity,
    x5c: {
      description:
        "The key's certificate chain (RFC 7517 x5c): base64 DER certificates, leaf first; the leaf holds this key " +
        "and names the organisation's OIN in its subject's serialNumber. Anchors the key outside the registry.",
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 16384 },
      minItems: 1,
      maxItems: 10,
    },
    endorsement: {
      description:
        'A compact JWS (typ poortwachter-key-endorsement+jws) by an anchored key of the same organisation, ' +
        'payload { oin, kid, endorsed_at }: key continuity for a rotation.',
      type: 'string',
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      maxLength: 8192,
    },
  },
} as const;

const organisationFields = {
  name: text(200),
  kind: { enum: ORGANISATION_KINDS },
  roles: { type: 'array', items: { enum: ORGANISATION_ROLES }, minItems: 1, uniqueItems: true },
  privacyContact: {
    description: 'Whom a citizen contacts about an access and to ask for a correction; null removes it.',
    anyOf: [
      {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: text(200), email: text(200), phone: text(40), url: text(500) },
      },
      { type: 'null' },
    ],
  },
  webOrigins: {
    description: 'Origins of web pages this organisation runs that may call citizen endpoints from a browser.',
    type: 'array',
    items: { type: 'string', maxLength: 200 },
    maxItems: 20,
  },
} as const;

const catalogueField = {
  type: 'object',
  required: ['path', 'label', 'group', 'avgCategory', 'bioLevel'],
  additionalProperties: false,
  properties: {
    path: { type: 'string', pattern: FIELD_PATH_PATTERN, maxLength: 200 },
    label: text(120),
    group: text(60),
    avgCategory: { enum: AVG_CATEGORIES },
    bioLevel: { enum: BIO_LEVELS },
    automatic: {
      description: 'Set for a field the source delivers unasked; how it is delivered.',
      oneOf: [
        object(['rule'], { rule: { const: 'always' } }),
        object(['rule'], { rule: { const: 'besideRequested' } }),
        object(['rule', 'member', 'categories'], {
          rule: { const: 'byCategory' },
          member: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]*$' },
          categories: {
            type: 'object',
            minProperties: 1,
            additionalProperties: {
              type: 'array',
              items: { type: 'string', pattern: FIELD_PATH_PATTERN },
              minItems: 1,
            },
          },
        }),
      ],
    },
  },
} as const;

const searchParameter = object(['name', 'selects'], {
  name: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]*$', maxLength: 100 },
  selects: { type: 'array', items: { type: 'string', pattern: FIELD_PATH_PATTERN }, minItems: 1, uniqueItems: true },
  neutral: { type: ['string', 'number', 'boolean'] },
});

const fieldPath = { type: 'string', pattern: FIELD_PATH_PATTERN, maxLength: 200 } as const;
const paths = (maxItems: number, minItems = 0) =>
  ({ type: 'array', items: fieldPath, minItems, maxItems, uniqueItems: true }) as const;
/** A name in an API: a parameter, operation, relation or resource (`kadastraalOnroerendeZaakIdentificatie`, `persoon__identificatie`). */
const apiName = { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', maxLength: 100 } as const;

const operationParameter = object(['name', 'in', 'selects'], {
  name: apiName,
  in: { enum: PARAMETER_LOCATIONS },
  required: { type: 'boolean' },
  selects: paths(20, 1),
  neutral: { type: ['string', 'number', 'boolean'], maxLength: 100 },
  pattern: { type: 'string', minLength: 1, maxLength: 500, description: 'A regular expression, without flags.' },
  subjectType: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_]*$', maxLength: 60 },
  withoutExpand: { type: 'boolean' },
});

const serviceOperation = object(['id', 'method', 'path', 'resource', 'parameters'], {
  id: apiName,
  method: { enum: OPERATION_METHODS },
  path: {
    type: 'string',
    pattern: '^/[a-zA-Z0-9_./{}-]*$',
    maxLength: 300,
    description: 'Path template below the service root, {name} for a path parameter.',
  },
  resource: { type: 'string', pattern: '^([a-zA-Z][a-zA-Z0-9]*)?$', maxLength: 100 },
  items: apiName,
  parameters: { type: 'array', items: operationParameter, maxItems: 50 },
  subjectExpand: { type: 'array', items: apiName, maxItems: 20, uniqueItems: true },
  subjectsFrom: apiName,
});

const resourceDescription = object([], {
  links: {
    type: 'array',
    maxItems: 50,
    items: object(['rel', 'reveals'], { rel: apiName, reveals: paths(20) }),
  },
  relations: {
    type: 'array',
    maxItems: 50,
    items: object(['name', 'resource'], { name: apiName, resource: { type: 'string', maxLength: 100 } }),
  },
  subjects: {
    type: 'array',
    maxItems: 20,
    items: object(['path'], {
      path: fieldPath,
      idType: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_]*$', maxLength: 60 },
      typePath: fieldPath,
      idTypes: {
        type: 'object',
        maxProperties: 50,
        propertyNames: { maxLength: 100 },
        additionalProperties: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_]*$', maxLength: 60 },
      },
    }),
  },
});

const serviceDescription = {
  description: "The service's API as data (operations, parameters, resources); required for haal-centraal-hal.",
  ...object(['operations', 'resources'], {
    operations: { type: 'array', items: serviceOperation, minItems: 1, maxItems: 100 },
    resources: {
      type: 'object',
      minProperties: 1,
      maxProperties: 50,
      propertyNames: { pattern: '^([a-zA-Z][a-zA-Z0-9]*)?$', maxLength: 100 },
      additionalProperties: resourceDescription,
    },
  }),
} as const;

const openApi = {
  description:
    'The OpenAPI 3 document (as JSON, at most 512 kB) the description is checked against; the registry keeps it ' +
    'and serves it at /v1/services/{id}/openapi. On update, left out keeps the stored one. Its texts are the ' +
    "bronhouder's documentation, kept as written (line breaks included): they are not shown as registry texts.",
  type: 'object',
  required: ['openapi', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.[0-9]+\\.[0-9]+$' },
    paths: { type: 'object' },
    components: { type: 'object' },
  },
} as const;

const serviceFields = {
  providerOin: oin,
  name: text(200),
  gatewayUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
  protocol: { enum: PROTOCOLS },
  fieldCatalogue: { type: 'array', items: catalogueField, minItems: 1, maxItems: 1000 },
  dataSubjectPaths: {
    type: 'array',
    items: { type: 'string', pattern: FIELD_PATH_PATTERN },
    minItems: 1,
    uniqueItems: true,
  },
  searchParameters: { type: 'array', items: searchParameter, maxItems: 200 },
  description: serviceDescription,
  openApi,
  betrokkene: {
    type: 'object',
    description:
      "What the service offers the citizen the data is about: the verwerkingsactiviteiten (the bronhouder's own) of " +
      'their inzage (AVG art. 15) and of terugmeldingen, and the operation that finds their data by BSN.',
    additionalProperties: false,
    required: ['inzageActivityId', 'operation', 'terugmeldingActivityId'],
    properties: {
      inzageActivityId: text(500),
      operation: text(100),
      terugmeldingActivityId: text(500),
      anderePersonen: { type: 'array', maxItems: 50, items: text(200) },
    },
  },
} as const;

const grondslagFields = {
  title: text(300),
  lawName: text(200),
  article: text(100),
  bwbId: { type: 'string', pattern: '^BWB[RV][0-9]{7}$', description: 'BWB id, e.g. BWBR0033715' },
  url: { type: 'string', format: 'uri', pattern: '^https://wetten\\.overheid\\.nl/' },
  avgBasis: { enum: AVG_BASES },
  ...validity,
} as const;

const processingActivityFields = {
  name: text(200),
  doel: text(1000),
  grondslagIds: { type: 'array', items: text(200), minItems: 1, uniqueItems: true },
  responsibleOin: oin,
  bewaartermijn: { type: 'string', pattern: ISO_DURATION, description: 'ISO 8601 duration, e.g. P20Y' },
  vertrouwelijkheid: { enum: VERTROUWELIJKHEID },
  validFrom: dateTime,
} as const;

/** A party's compact JWS on a contract (typ poortwachter-contract-signature+jws). */
const contractSignature = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
  maxLength: 4096,
  description:
    'Compact JWS, header { alg, kid: the key thumbprint, typ }, payload { contract_content_hash, type, signed_at, reason? }.',
} as const;

const identityProviderFields = {
  name: text(200),
  jwks: {
    type: 'object',
    required: ['keys'],
    properties: { keys: { type: 'array', items: jwk, minItems: 1, maxItems: 20 } },
  },
  audience: text(300),
  minimumAssurance: { enum: ASSURANCE_LEVELS },
  introspectionEndpoint: {
    description:
      'Its token introspection endpoint (RFC 7662): https (http only on localhost). Gateways ask it whether a ' +
      "citizen's token is still active, so that logging out takes effect at once. On update: left out keeps it, null removes it.",
    anyOf: [{ type: 'string', maxLength: 500 }, { type: 'null' }],
  },
} as const;

/**
 * One rule for every text of every record, at any depth and in members a schema leaves open (a JWK's):
 * no control character. A name, a doel or a label is read in a terminal, a log line and a citizen's
 * page, where an escape sequence, a line break or a bidi override would forge or hide what people
 * read. No member needs more than one line, so none is let through.
 */
const visibleText = {
  description:
    'Every text, member names too, is free of control characters (Unicode Cc: line breaks, tab, escape), ' +
    'U+2028, U+2029 and the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).',
  pattern: VISIBLE_TEXT_PATTERN,
  propertyNames: { pattern: VISIBLE_TEXT_PATTERN },
  additionalProperties: { $ref: '#/$defs/visibleText' },
  items: { $ref: '#/$defs/visibleText' },
} as const;

/**
 * The rule for a whole body. One member is left out: a service's `openApi`, the bronhouder's own document,
 * whose descriptions are multi-line Markdown by design. It is kept and served as JSON only, never shown as
 * a registry text; what the registry takes from it into records (names, paths) is checked in the description.
 */
const visibleBody = { ...visibleText, properties: { openApi: true } } as const;

/** Each request schema with the rule for its texts applied to the whole body (a service's `openApi` aside). */
function withVisibleText<S extends Record<string, object>>(schemas: S) {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const hasOpenApi = Object.hasOwn((schema as { properties?: object }).properties ?? {}, 'openApi');
      return [
        name,
        hasOpenApi
          ? { ...schema, $ref: '#/$defs/visibleBody', $defs: { visibleText, visibleBody } }
          : { ...schema, $ref: '#/$defs/visibleText', $defs: { visibleText } },
      ];
    }),
  ) as { [N in keyof S]: S[N] & { $ref: string; $defs: { visibleText: typeof visibleText } } };
}

export const REQUEST_SCHEMAS = withVisibleText({
  'organisation-create': object(['oin', 'name', 'kind', 'roles'], {
    oin,
    ...organisationFields,
    keys: { type: 'array', items: keyInput, maxItems: 20 },
  }),
  'organisation-update': object(['name', 'kind', 'roles'], organisationFields),
  'key-create': keyInput,
  'key-certificate': object(['x5c'], { x5c: keyInput.properties.x5c }),
  revoke: object([], { revokedAt: dateTime }),
  'service-create': object(
    ['id', 'providerOin', 'name', 'gatewayUrl', 'protocol', 'fieldCatalogue', 'dataSubjectPaths'],
    {
      id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
      ...serviceFields,
    },
  ),
  'service-update': object(
    ['providerOin', 'name', 'gatewayUrl', 'protocol', 'fieldCatalogue', 'dataSubjectPaths'],
    serviceFields,
  ),
  'grondslag-create': object(['id', 'title', 'lawName', 'article', 'bwbId', 'url', 'avgBasis'], {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,99}$' },
    ...grondslagFields,
  }),
  'grondslag-update': object(['title', 'lawName', 'article', 'bwbId', 'url', 'avgBasis'], grondslagFields),
  'processing-activity-create': object(
    ['id', 'name', 'doel', 'grondslagIds', 'responsibleOin', 'bewaartermijn', 'vertrouwelijkheid'],
    { id: { type: 'string', format: 'uri', pattern: '^https?://' }, ...processingActivityFields },
  ),
  'processing-activity-version': object(
    ['name', 'doel', 'grondslagIds', 'responsibleOin', 'bewaartermijn', 'vertrouwelijkheid'],
    processingActivityFields,
  ),
  'contract-proposal': object(['content', 'signature'], {
    content: {
      type: 'object',
      description:
        'The contract content (FSC shape: iv, group_id, validity, grants, hash_algorithm, created_at); checked member by member.',
    },
    signature: contractSignature,
  }),
  'contract-signature': object(['signature'], { signature: contractSignature }),
  'identity-provider-create': object(['issuer', 'name', 'jwks', 'audience', 'minimumAssurance'], {
    issuer: { type: 'string', format: 'uri', pattern: '^https?://' },
    ...identityProviderFields,
  }),
  'identity-provider-update': object(['name', 'jwks', 'audience', 'minimumAssurance'], identityProviderFields),
  'witness-create': object(['vkey', 'url'], {
    vkey: {
      ...text(1000),
      description:
        "The witness's C2SP verifier key (Ed25519 cosignature/v1, type 0x04): `<name>+<key id>+<base64>`; its name is the witness's.",
    },
    url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description: 'Its submission and monitoring prefix (`<url>/add-checkpoint`).',
    },
    operator: { ...text(200), description: 'Who runs it, for readers.' },
    quorum: witnessQuorum,
  }),
  'witness-remove': object([], { quorum: witnessQuorum }),
  'witness-quorum': object(['quorum'], { quorum: witnessQuorum }),
} as const);

export type RequestSchemaName = keyof typeof REQUEST_SCHEMAS;
