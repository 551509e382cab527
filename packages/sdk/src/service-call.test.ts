import {
  contentDigest,
  type DirectorySnapshot,
  type Organisation,
  REQUEST_COMPONENTS,
  RESPONSE_COMPONENTS,
  type Service,
  signMessage,
  verifyContentDigest,
  verifyMessage,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from './keys.ts';
import { createOrganisationClient } from './organisation-client.ts';
import { isSdkError, type SdkError } from './sdk-error.ts';

const KADASTER = '00000001234567890002';
const UTRECHT = '00000001000000344000';
const BRK = 'https://brk.example/inway';
const OZB = 'https://www.utrecht.nl/verwerkingsactiviteiten/heffing-ozb';

type Pair = { privateKey: JWK; publicKey: JWK };
let kadaster: Pair;
let utrecht: Pair;
let stranger: Pair;
let directory: DirectorySnapshot;

const organisation = (oin: string, name: string, key: JWK) =>
  ({
    oin,
    name,
    keys: [{ kid: key.kid, jwk: key, status: 'active', revokedAt: null, validFrom: '', validTo: null }],
    revokedAt: null,
  }) as unknown as Organisation;

/** What the stand-in inway received, verified as an inway verifies it. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly processingActivity: string | null;
}

/**
 * A stand-in for Kadaster's inway: it verifies the afnemer's signature and digest as a gateway does,
 * and answers with `answer`, signed with `signer`'s key (Kadaster's, unless a test swaps it) and bound
 * to the request, optionally altered in transit after signing.
 */
function inway() {
  const state = {
    received: [] as Received[],
    signer: undefined as JWK | undefined,
    answer: { status: 200, body: {} as unknown, contentType: 'application/hal+json' },
    alterInTransit: false,
  };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    const method = init?.method ?? 'GET';
    await verifyContentDigest(headers.get('content-digest'), body);
    await verifyMessage(
      { method, targetUri: url, header: (name) => headers.get(name) },
      {
        requiredComponents: REQUEST_COMPONENTS,
        now: Math.floor(Date.now() / 1000),
        publicKeyFor: (kid) => (kid === utrecht.publicKey.kid ? utrecht.publicKey : undefined),
      },
    );
    state.received.push({ method, url, body, processingActivity: headers.get('processing-activity') });
    const text = JSON.stringify(state.answer.body);
    const out = new Headers({
      'content-type': state.answer.contentType,
      'content-digest': await contentDigest(text),
      'fsc-transaction-id': headers.get('fsc-transaction-id') ?? '',
    });
    const signature = await signMessage(
      { status: state.answer.status, header: (name) => out.get(name) },
      {
        components: RESPONSE_COMPONENTS,
        privateKey: state.signer ?? kadaster.privateKey,
        created: Math.floor(Date.now() / 1000),
        request: { header: (name) => headers.get(name) },
      },
    );
    for (const [name, value] of Object.entries(signature)) out.set(name, value);
    const sent = state.alterInTransit ? text.replace('3077AW', '3077AX') : text;
    return new Response(sent, { status: state.answer.status, headers: out });
  };
  return { fetch, state };
}

const ZAAK = {
  identificatie: '76870487970000',
  adressen: [{ postcode: '3077AW', huisnummer: 31 }],
  _links: { self: { href: '/kadastraalonroerendezaken/76870487970000' } },
};

beforeAll(async () => {
  [kadaster, utrecht, stranger] = await Promise.all([
    generateSigningKey(),
    generateSigningKey('p256'),
    generateSigningKey(),
  ]);
  directory = {
    organisations: [
      organisation(KADASTER, 'Kadaster', kadaster.publicKey),
      organisation(UTRECHT, 'Gemeente Utrecht', utrecht.publicKey),
    ],
    services: [{ id: 'brk-bevragen', providerOin: KADASTER, gatewayUrl: BRK, revokedAt: null } as unknown as Service],
  } as unknown as DirectorySnapshot;
});

describe("the organisation client's generic call of any service in the directory", () => {
  let stub: ReturnType<typeof inway>;
  const client = () =>
    createOrganisationClient({ oin: UTRECHT, privateKey: utrecht.privateKey, directory, fetch: stub.fetch });
  beforeEach(() => {
    stub = inway();
    stub.state.answer = {
      status: 200,
      body: { _embedded: { kadastraalOnroerendeZaken: [ZAAK] } },
      contentType: 'application/hal+json',
    };
  });

  it('GETs an operation with its query parameters at the service gateway, signed, and returns the verified answer', async () => {
    const result = await client()
      .service('brk-bevragen')
      .get('/kadastraalonroerendezaken', {
        query: { postcode: '3077AW', huisnummer: 31, fields: ['identificatie', 'adressen'], expand: undefined },
        processingActivity: OZB,
      });
    expect(stub.state.received).toEqual([
      {
        method: 'GET',
        url: `${BRK}/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31&fields=identificatie,adressen`,
        body: '',
        processingActivity: OZB,
      },
    ]);
    expect(result).toMatchObject({
      status: 200,
      body: { _embedded: { kadastraalOnroerendeZaken: [ZAAK] } },
      contentType: 'application/hal+json',
      verified: true,
    });
    expect(result.transactionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('POSTs a body (the BSN search) as JSON, signed with its digest', async () => {
    const result = await client()
      .service('brk-bevragen')
      .post('/kadastraalonroerendezaken', { burgerservicenummer: '999993653' }, { processingActivity: OZB });
    expect(stub.state.received).toMatchObject([
      { method: 'POST', url: `${BRK}/kadastraalonroerendezaken`, body: '{"burgerservicenummer":"999993653"}' },
    ]);
    expect(result.verified).toBe(true);
  });

  it('encodes what a value holds, so that it stays one value of one parameter', async () => {
    await client()
      .service('brk-bevragen')
      .get('/kadastraalonroerendezaken', {
        query: { kadastraleAanduiding: 'Ouder-Amstel, C 1234&x=1' },
        processingActivity: OZB,
      });
    const url = new URL(stub.state.received[0]?.url ?? '');
    expect([...url.searchParams]).toEqual([['kadastraleAanduiding', 'Ouder-Amstel, C 1234&x=1']]);
  });

  const refusal = async (call: Promise<unknown>): Promise<SdkError> => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isSdkError(error)) throw new Error(`expected an SdkError, got ${String(error)}`);
    return error;
  };
  const get = () =>
    client().service('brk-bevragen').get('/kadastraalonroerendezaken/76870487970000', { processingActivity: OZB });

  it('does not return an answer altered in transit, nor one signed by another key than the provider’s', async () => {
    stub.state.answer = { status: 200, body: ZAAK, contentType: 'application/hal+json' };
    stub.state.alterInTransit = true;
    expect((await refusal(get())).code).toBe('responseUnverified');
    stub.state.alterInTransit = false;
    stub.state.signer = stranger.privateKey;
    const error = await refusal(get());
    expect(error.code).toBe('responseUnverified');
    expect(error.message).toContain('not signed by Kadaster');
  });

  it("throws a signed refusal as an SdkError with the inway's problem", async () => {
    stub.state.answer = {
      status: 400,
      contentType: 'application/problem+json',
      body: {
        type: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1',
        title: 'Een of meerdere parameters zijn niet correct.',
        status: 400,
        code: 'paramsValidation',
        invalidParams: [{ name: 'postcode', code: 'pattern', reason: 'Waarde voldoet niet aan patroon.' }],
      },
    };
    const error = await refusal(
      client()
        .service('brk-bevragen')
        .get('/kadastraalonroerendezaken', { query: { postcode: 'x' }, processingActivity: OZB }),
    );
    expect(error.code).toBe('paramsValidation');
    expect(error.problem?.invalidParams?.[0]?.name).toBe('postcode');
  });

  it('sends nothing for a path that would leave the gateway or carry its own query, nor to a service not listed', async () => {
    for (const path of [
      '/../admin',
      '/kadastraalonroerendezaken/%2e%2e/%2E%2E/x',
      '//evil.example/x',
      'kadastraalonroerendezaken',
      '/kadastraalonroerendezaken?postcode=3077AW',
      '/a#b',
      '/a b',
      '/a\\b',
    ]) {
      const error = await refusal(client().service('brk-bevragen').get(path, { processingActivity: OZB }));
      expect(error.code, path).toBe('configuration');
    }
    expect((await refusal(client().service('brk-onbekend').get('/x', { processingActivity: OZB }))).code).toBe(
      'serviceNotFound',
    );
    expect(stub.state.received).toEqual([]);
  });
});
