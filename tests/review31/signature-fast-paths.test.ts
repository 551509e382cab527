/**
 * Review of issue 31's protocol fast paths (hand-written `@signature-params`, Content-Digest fast path,
 * base64 by table, keys kept by JWK object, the cached parse of the request's Signature header): each
 * must decide exactly as the structured-headers library does, and never let another key, another
 * Signature-Input or another request's signature through.
 */
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  parseDictionary,
  serializeInnerList,
} from '../../packages/protocol/node_modules/structured-headers/dist/index.js';
import { toBase64 } from '../../packages/protocol/src/bytes.ts';
import { contentDigest, verifyContentDigest } from '../../packages/protocol/src/http-signatures/content-digest.ts';
import { HttpSignatureError } from '../../packages/protocol/src/http-signatures/errors.ts';
import {
  signMessage,
  signMessageWithBase,
  verifyMessage,
} from '../../packages/protocol/src/http-signatures/message-signatures.ts';
import {
  type Component,
  type MessageView,
  serializeSignatureParams,
} from '../../packages/protocol/src/http-signatures/signature-base.ts';
import { RESPONSE_COMPONENTS } from '../../packages/protocol/src/sign-request.ts';
import { ed25519KeyPair, messageView } from '../../packages/protocol/src/testing/signing.ts';

const view = messageView;

const keyPair = ed25519KeyPair;

const outcome = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (e: unknown) => (e instanceof HttpSignatureError ? e.reason : `other: ${String(e)}`),
  );

const now = 1_700_000_000;
const required = ['@method', '@target-uri', 'content-digest'];

async function signedRequest(privateKey: JWK, nonce = `nonce-${randomBytes(8).toString('hex')}`) {
  const headers: Record<string, string> = { 'content-digest': await contentDigest('{}') };
  const message = { method: 'POST', targetUri: 'https://gateway.example/personen', headers };
  const signature = await signMessage(view(message), {
    components: required,
    privateKey,
    created: now,
    expires: now + 60,
    nonce,
  });
  return { message, headers: { ...headers, ...signature } as Record<string, string> };
}

describe('review 31: @signature-params written by hand = the library, on random parsed inputs', () => {
  const printable = () =>
    Array.from({ length: 1 + Math.floor(Math.random() * 12) }, () =>
      String.fromCharCode(0x20 + Math.floor(Math.random() * 95)),
    ).join('');
  const quoted = (s: string) => s.replace(/["\\]/g, '\\$&');
  it('serialises 2000 random Signature-Input members exactly as serializeInnerList does', () => {
    for (let n = 0; n < 2000; n++) {
      const params: string[] = [];
      for (let p = 0; p < 1 + Math.floor(Math.random() * 5); p++) {
        const key = ['created', 'expires', 'nonce', 'keyid', 'alg', 'x*', 'a.b-c_d'][Math.floor(Math.random() * 7)];
        const kind = Math.floor(Math.random() * 7);
        const value = [
          () => `="${quoted(printable())}"`,
          () => `=${Math.floor((Math.random() - 0.5) * 2e15)}`,
          () => '=-0',
          () => '',
          () => '=?0',
          () => `=${(Math.random() * 1000).toFixed(3)}`,
          () => '=tok/en:x',
        ][kind]?.();
        params.push(`;${key}${value}`);
      }
      const text = `sig1=("@method" "@target-uri" "content-digest";sf "signature";key="sig1";req)${params.join('')}`;
      const member = parseDictionary(text).get('sig1') as [Component[], Map<string, never>];
      const [components, map] = member;
      expect(serializeSignatureParams(components, map), text).toBe(serializeInnerList([components, map]));
    }
  });
});

describe('review 31: a Signature-Input changed in transit never verifies', () => {
  const mutations: [string, (input: string) => string][] = [
    ['keyid as a token instead of a string', (s) => s.replace(/keyid="([^"]+)"/, 'keyid=$1')],
    ['alg as a string instead of a token', (s) => s.replace(/alg="?([a-z0-9-]+)"?/, 'alg="$1x"')],
    ['a quote escaped into the nonce', (s) => s.replace(/nonce="([^"]+)"/, 'nonce="$1\\""')],
    ['a backslash escaped into the nonce', (s) => s.replace(/nonce="([^"]+)"/, 'nonce="$1\\\\"')],
    ['another parameter', (s) => `${s};tag="x"`],
    ['a boolean parameter', (s) => `${s};flag`],
    ['expires a second later', (s) => s.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 1}`)],
    ['a component dropped', (s) => s.replace(' "content-digest"', '').replace('"content-digest" ', '')],
    ['a component parameter added', (s) => s.replace('"content-digest"', '"content-digest";sf')],
  ];
  for (const [name, mutate] of mutations) {
    it(name, async () => {
      const caller = await keyPair();
      const { message, headers } = await signedRequest(caller.privateKey);
      const verify = (h: Record<string, string>) =>
        verifyMessage(view({ ...message, headers: h }), {
          requiredComponents: ['@method', '@target-uri'],
          now,
          publicKeyFor: () => caller.publicKey,
        });
      expect(await outcome(verify(headers))).toBe('ok');
      const input = headers['signature-input'] ?? '';
      const changed = mutate(input);
      expect(changed).not.toBe(input);
      expect(await outcome(verify({ ...headers, 'signature-input': changed }))).not.toBe('ok');
    });
  }

  it('another key object under the same kid (another x) never verifies, also after the right one was cached', async () => {
    const caller = await keyPair();
    const other = await keyPair();
    const { message, headers } = await signedRequest(caller.privateKey);
    const verifyWith = (jwk: JWK) =>
      verifyMessage(view({ ...message, headers }), { requiredComponents: required, now, publicKeyFor: () => jwk });
    expect(await outcome(verifyWith(caller.publicKey))).toBe('ok');
    const impostor: JWK = { ...other.publicKey, kid: caller.publicKey.kid as string };
    expect(await outcome(verifyWith(impostor))).toBe('badSignature');
    // The cached object mutated into the other key, then back: each time the current members decide.
    const shared: JWK = { ...caller.publicKey };
    expect(await outcome(verifyWith(shared))).toBe('ok');
    shared.x = other.publicKey.x as string;
    expect(await outcome(verifyWith(shared))).toBe('badSignature');
    shared.x = caller.publicKey.x as string;
    expect(await outcome(verifyWith(shared))).toBe('ok');
    // A public JWK that also carries a `d` (of another key) is still the public key of its x.
    expect(await outcome(verifyWith({ ...caller.publicKey, d: other.privateKey.d as string }))).toBe('ok');
  });
});

describe('review 31: Content-Digest fast path decides as the library', () => {
  /** The reference: the library's parse (last member of a name wins), sha-256 only. */
  async function reference(header: string, body: string): Promise<string> {
    let claimed: unknown;
    try {
      claimed = parseDictionary(header).get('sha-256')?.[0];
    } catch {
      return 'malformed';
    }
    if (!(claimed instanceof ArrayBuffer)) return 'digestMissing';
    const actual = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
    return actual.equals(Buffer.from(claimed)) ? 'ok' : 'digestMismatch';
  }
  it('on canonical, non-canonical, unpadded, two-member, parametrised, other-algorithm and upper-case headers', async () => {
    const body = '{"a":1}';
    const good = (await contentDigest(body)).slice('sha-256=:'.length, -1);
    const bad = (await contentDigest('{"a":2}')).slice('sha-256=:'.length, -1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const nonCanonical = `${good.slice(0, 42)}${alphabet[alphabet.indexOf(good[42] ?? 'A') | 1]}=`;
    const headers = [
      `sha-256=:${good}:`,
      `sha-256=:${bad}:`,
      `sha-256=:${nonCanonical}:`,
      `sha-256=:${good.slice(0, 43)}:`,
      `sha-256=:${good}:, sha-256=:${bad}:`,
      `sha-256=:${bad}:, sha-256=:${good}:`,
      `sha-256=:${good}:;alg=1`,
      `sha-512=:${good}:`,
      `SHA-256=:${good}:`,
      `sha-256=${good}`,
      `sha-256="${good}"`,
      `sha-256=:${good.replaceAll('+', '-').replaceAll('/', '_')}:`,
      ` sha-256=:${good}:`,
      `sha-256=:${good}:,`,
      `sha-256=:${good}==:`,
      `sha-256=:${good.slice(0, 40)}:`,
    ];
    for (const header of headers) {
      expect(await outcome(verifyContentDigest(header, body)), header).toBe(await reference(header.trim(), body));
    }
  });
});

describe('review 31: base64 by table', () => {
  it('equals Buffer for every length up to 1100 (past the table limit)', () => {
    for (let length = 0; length <= 1100; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    // Every byte value in every position of a 3-byte group.
    for (let v = 0; v < 256; v++) {
      for (const bytes of [[v], [v, 255 - v], [v, 0, 255 - v], [0, v], [0, 0, v]]) {
        expect(toBase64(Uint8Array.from(bytes))).toBe(Buffer.from(bytes).toString('base64'));
      }
    }
  });
});

describe("review 31: a response's ;req binding and the cached parse of the request's Signature", () => {
  it('a response signed for one request never verifies against another carrying the same Signature-Input', async () => {
    const caller = await keyPair();
    const gateway = await keyPair();
    const first = await signedRequest(caller.privateKey, 'same-nonce-same-nonce');
    const second = await signedRequest(caller.privateKey, 'same-nonce-same-nonce');
    // Same created/expires/nonce → same Signature-Input; Ed25519 is deterministic, so make the bodies differ.
    second.headers['content-digest'] = await contentDigest('{"b":1}');
    const resigned = await signMessage(view({ ...second.message, headers: second.headers }), {
      components: required,
      privateKey: caller.privateKey,
      created: now,
      expires: now + 60,
      nonce: 'same-nonce-same-nonce',
    });
    const secondHeaders = { ...second.headers, ...resigned };
    expect(secondHeaders['signature-input']).toBe(first.headers['signature-input']);
    expect(secondHeaders.signature).not.toBe(first.headers.signature);
    const firstView = view({ ...first.message, headers: first.headers });
    const secondView = view({ ...first.message, headers: secondHeaders });
    for (const request of [firstView, secondView]) {
      await verifyMessage(request, { requiredComponents: required, now, publicKeyFor: () => caller.publicKey });
    }
    const response = {
      status: 200,
      headers: { 'content-digest': await contentDigest('[]'), 'fsc-transaction-id': 't' },
    };
    const { headers } = await signMessageWithBase(view(response), {
      components: RESPONSE_COMPONENTS,
      privateKey: gateway.privateKey,
      created: now,
      request: firstView,
    });
    const answer = view({ ...response, headers: { ...response.headers, ...headers } });
    const check = (request: MessageView) =>
      outcome(
        verifyMessage(answer, {
          requiredComponents: RESPONSE_COMPONENTS,
          now,
          publicKeyFor: () => gateway.publicKey,
          requireExpiresAndNonce: false,
          request,
        }),
      );
    expect(await check(firstView)).toBe('ok');
    expect(await check(secondView)).toBe('badSignature');
  });

  /**
   * FINDING (low, new in issue 31, hardening): `verifyMessage` now reads the Signature header through
   * the shared parse cache and returns `signatureValue` as a view on the cached ArrayBuffer. A caller
   * that changes those bytes (nothing in the repository does today) changes what every later
   * verification of the same header text — and the `;req` line of a response bound to it — reads.
   * Before issue 31 each call had its own parse. Fix: return a copy (`signatureMember[0].slice(0)`,
   * 64 bytes) or freeze the contract in the type (`Readonly` is not enough for a Uint8Array). Fixed: a copy.
   */
  it('a caller changing the returned signatureValue does not change the next verification of the same message', async () => {
    const caller = await keyPair();
    const { message, headers } = await signedRequest(caller.privateKey);
    const request = view({ ...message, headers });
    const options = { requiredComponents: required, now, publicKeyFor: () => caller.publicKey };
    const verified = await verifyMessage(request, options);
    verified.signatureValue[0] = (verified.signatureValue[0] ?? 0) ^ 1;
    expect(await outcome(verifyMessage(request, options))).toBe('ok');
  });
});
