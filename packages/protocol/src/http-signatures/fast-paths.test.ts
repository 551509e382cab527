import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { type BareItem, parseDictionary, serializeDictionary, serializeInnerList, Token } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../bytes.ts';
import { RESPONSE_COMPONENTS } from '../sign-request.ts';
import { ed25519KeyPair, messageView } from '../testing/signing.ts';
import { contentDigest, verifyContentDigest } from './content-digest.ts';
import { HttpSignatureError } from './errors.ts';
import { signBytes, verifyBytes } from './keys.ts';
import { signMessage, signMessageWithBase, verifyMessage } from './message-signatures.ts';
import { component, type MessageView, serializeSignatureParams } from './signature-base.ts';

/**
 * The per-request fast paths of signing and verifying (issue 31) write exactly what the
 * structured-headers library writes, read exactly what it reads, and never let another key or
 * another signature through.
 */

const view = messageView;

const keyPair = ed25519KeyPair;

const reason = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpSignatureError);
  return (error as HttpSignatureError).reason;
};

describe('the signature parameters, serialised directly', () => {
  const components = ['@method', '@target-uri', 'content-digest', '"signature";key="sig1";req'].map(component);
  const cases: [string, BareItem][][] = [
    [
      ['created', 1_700_000_000],
      ['expires', 1_700_000_060],
      ['nonce', 'bm9uY2Utbm9uY2Utbm9uY2U'],
      ['keyid', 'abc-_DEF'],
      ['alg', 'ed25519'],
    ],
    [['created', 0]],
    [['created', -5]],
    [['created', 999_999_999_999_999]],
    [['nonce', 'with "quotes" and \\ backslashes']],
    [['flag', true]],
    [['off', false]],
    [['*star.key_-9', 'x']],
    // Not written directly: the library does these (or refuses them) as before.
    [['decimal', 1.5]],
    [['token', new Token('sig1')]],
    [['bytes', new Uint8Array([1, 2, 3]).buffer]],
  ];
  for (const entries of cases) {
    it(`writes ${entries.map(([k]) => k).join(', ')} as the library does`, () => {
      const params = new Map(entries);
      expect(serializeSignatureParams(components, params)).toBe(serializeInnerList([components, params]));
    });
  }
  it('refuses what the library refuses (too large, not ASCII, not a key)', () => {
    for (const entries of [[['created', 1e16]], [['nonce', 'é']], [['Upper', 1]]] as [string, BareItem][][]) {
      const params = new Map(entries);
      expect(() => serializeInnerList([components, params])).toThrow();
      expect(() => serializeSignatureParams(components, params)).toThrow();
    }
  });
});

describe('base64 of small inputs by the table', () => {
  it('is the same as btoa for every length up to 100 and beyond the table', () => {
    for (const length of [...Array.from({ length: 101 }, (_, i) => i), 1024, 1025, 70_000]) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});

describe('Content-Digest', () => {
  it('writes the dictionary the library writes', async () => {
    for (const body of ['', '{"a":1}', 'ü€', new Uint8Array(randomBytes(300))]) {
      const written = await contentDigest(body);
      const member = parseDictionary(written).get('sha-256') as [ArrayBuffer, Map<string, BareItem>];
      expect(serializeDictionary(new Map([['sha-256', member]]))).toBe(written);
      await verifyContentDigest(written, body);
    }
  });
  it('reads other forms in full and refuses what does not match', async () => {
    const body = '{"a":1}';
    const digest = await contentDigest(body);
    const value = digest.slice('sha-256='.length);
    // More members, parameters: the library's parse, as before.
    await verifyContentDigest(`sha-512=:${toBase64(new Uint8Array(64))}:, sha-256=${value}`, body);
    await verifyContentDigest(`sha-256=${value};p=1`, body);
    expect(await reason(verifyContentDigest(digest, '{"a":2}'))).toBe('digestMismatch');
    expect(await reason(verifyContentDigest(await contentDigest('{"a":2}'), body))).toBe('digestMismatch');
    expect(await reason(verifyContentDigest('sha-256=:not base64!:', body))).toBe('malformed');
    expect(await reason(verifyContentDigest('sha-512=:AAAA:', body))).toBe('digestMissing');
  });
});

describe('keys kept by their JWK object', () => {
  it('never verifies with the key an object held before its members changed', async () => {
    const one = await keyPair();
    const other = await keyPair();
    const data = new TextEncoder().encode('the signature base');
    const signature = await signBytes(one.privateKey, data);
    const jwk: JWK = { ...one.publicKey };
    expect(await verifyBytes(jwk, data, signature)).toBe(true);
    // The same object, now another key: the kept key must not be used.
    jwk.x = other.publicKey.x as string;
    expect(await verifyBytes(jwk, data, signature)).toBe(false);
    expect(await verifyBytes(jwk, data, await signBytes(other.privateKey, data))).toBe(true);
  });
  it('never signs with the key an object held before its members changed', async () => {
    const one = await keyPair();
    const other = await keyPair();
    const data = new TextEncoder().encode('the signature base');
    const jwk: JWK = { ...one.privateKey };
    expect(await verifyBytes(one.publicKey, data, await signBytes(jwk, data))).toBe(true);
    jwk.d = other.privateKey.d as string;
    jwk.x = other.privateKey.x as string;
    expect(await verifyBytes(other.publicKey, data, await signBytes(jwk, data))).toBe(true);
    expect(await verifyBytes(one.publicKey, data, await signBytes(jwk, data))).toBe(false);
  });
});

describe("a response bound to its request's signature (;req), after the request was verified", () => {
  const now = 1_700_000_000;
  const required = ['@method', '@target-uri', 'content-digest'];
  const signedRequest = async (privateKey: JWK, nonce: string) => {
    const headers: Record<string, string> = { 'content-digest': await contentDigest('{}') };
    const message = { method: 'POST', targetUri: 'https://gateway.example/personen', headers };
    const signature = await signMessage(view(message), {
      components: required,
      privateKey,
      created: now,
      expires: now + 60,
      nonce,
    });
    return view({ ...message, headers: { ...headers, ...signature } });
  };

  it("covers that request's own signature, and verifies against it only", async () => {
    const caller = await keyPair();
    const gateway = await keyPair();
    const first = await signedRequest(caller.privateKey, 'nonce-one-nonce-one');
    const second = await signedRequest(caller.privateKey, 'nonce-two-nonce-two');
    for (const request of [first, second]) {
      await verifyMessage(request, { requiredComponents: required, now, publicKeyFor: () => caller.publicKey });
    }
    const response = {
      status: 200,
      headers: { 'content-digest': await contentDigest('[]'), 'fsc-transaction-id': 't' },
    };
    const components = RESPONSE_COMPONENTS;
    const { headers, base } = await signMessageWithBase(view(response), {
      components,
      privateKey: gateway.privateKey,
      created: now,
      request: first,
    });
    const ownSignature = (first.header('signature') ?? '').slice('sig1='.length);
    expect(base).toContain(`"signature";key="sig1";req: ${ownSignature}`);
    const answer = view({ ...response, headers: { ...response.headers, ...headers } });
    const check = (request: MessageView) =>
      verifyMessage(answer, {
        requiredComponents: components,
        now,
        publicKeyFor: () => gateway.publicKey,
        requireExpiresAndNonce: false,
        request,
      });
    await check(first);
    expect(await reason(check(second))).toBe('badSignature');
  });
});
