import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { parseDictionary, serializeDictionary } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { contentDigest, verifyContentDigest } from './content-digest.ts';
import { HttpSignatureError } from './errors.ts';
import { signBytes, verifyBytes } from './keys.ts';
import { signMessage, verifyMessage } from './message-signatures.ts';
import { component, type MessageView, signatureBase } from './signature-base.ts';

// RFC 9421 Appendix B.1.4: test-key-ed25519 (a published testing-only key pair).
const RFC_ED25519: JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU',
  x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
};

const view = (init: {
  method?: string;
  targetUri?: string;
  status?: number;
  headers: Record<string, string>;
}): MessageView => {
  const headers = new Headers(init.headers);
  return { ...init, header: (name) => headers.get(name) };
};

async function keyPair(type: 'ed25519' | 'p256'): Promise<{ privateKey: JWK; publicKey: JWK }> {
  const { privateKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const { d: _d, ...publicKey } = jwk;
  const kid = await calculateJwkThumbprint(publicKey);
  return { privateKey: { ...jwk, kid }, publicKey: { ...publicKey, kid } };
}

describe('RFC 9421 test vector B.2.6 (ed25519)', () => {
  const request = view({
    method: 'POST',
    targetUri: 'https://example.com/foo?param=Value&Pet=dog',
    headers: {
      date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'content-type': 'application/json',
      'content-length': '18',
    },
  });
  const components = ['date', '@method', '@path', '@authority', 'content-type', 'content-length'].map(component);
  const params = new Map<string, string | number>([
    ['created', 1618884473],
    ['keyid', 'test-key-ed25519'],
  ]);

  it('builds the signature base of the RFC', () => {
    expect(signatureBase(components, params, request)).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join('\n'),
    );
  });

  it('produces the RFC signature (ed25519 is deterministic) and verifies it', async () => {
    const base = new TextEncoder().encode(signatureBase(components, params, request));
    const signature = await signBytes(RFC_ED25519, base);
    expect(Buffer.from(signature).toString('base64')).toBe(
      'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==',
    );
    const { d: _d, ...publicKey } = RFC_ED25519;
    expect(await verifyBytes(publicKey, base, signature)).toBe(true);
    signature[0] = (signature[0] ?? 0) ^ 1;
    expect(await verifyBytes(publicKey, base, signature)).toBe(false);
  });
});

describe('RFC 9530 Content-Digest', () => {
  it('matches the RFC example for {"hello": "world"}\\n', async () => {
    expect(await contentDigest('{"hello": "world"}\n')).toBe('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:');
  });
  it('refuses a body that does not match, and a missing digest', async () => {
    const digest = await contentDigest('{"a":1}');
    await expect(verifyContentDigest(digest, '{"a":1}')).resolves.toBeUndefined();
    await expect(verifyContentDigest(digest, '{"a":2}')).rejects.toMatchObject({ reason: 'digestMismatch' });
    await expect(verifyContentDigest(null, '{"a":1}')).rejects.toMatchObject({ reason: 'digestMissing' });
    await expect(verifyContentDigest('md5=:AAAA:', '{"a":1}')).rejects.toMatchObject({ reason: 'digestMissing' });
  });
});

for (const type of ['ed25519', 'p256'] as const) {
  describe(`request and response signatures (${type})`, () => {
    const now = 1_800_000_000;
    const required = ['@method', '@target-uri', 'content-digest', 'fsc-transaction-id', 'processing-activity'];

    async function signedRequest(privateKey: JWK, overrides: { created?: number; expires?: number } = {}) {
      const body = '{"type":"RaadpleegMetBurgerservicenummer"}';
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'content-digest': await contentDigest(body),
        'fsc-transaction-id': '0192f0c4-7a3b-7c3e-9a11-3f1e2d3c4b5a',
        'processing-activity': 'https://www.utrecht.nl/verwerkingsactiviteiten/wmo',
      };
      const message = { method: 'POST', targetUri: 'https://gateway.example/personen', headers };
      const signature: Record<string, string> = await signMessage(view(message), {
        components: required,
        privateKey,
        created: overrides.created ?? now,
        expires: overrides.expires ?? now + 60,
        nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
      });
      return { ...message, headers: { ...headers, ...signature } };
    }

    const verify = (message: Parameters<typeof view>[0], publicKey: JWK | undefined, at = now) =>
      verifyMessage(view(message), { requiredComponents: required, publicKeyFor: () => publicKey, now: at });

    const reason = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HttpSignatureError);
      return (error as HttpSignatureError).reason;
    };

    it('writes Signature-Input and Signature as canonical RFC 8941 dictionaries', async () => {
      const { privateKey } = await keyPair(type);
      const { headers } = await signedRequest(privateKey);
      const input = headers['signature-input'] ?? '';
      const signature = headers.signature ?? '';
      // What the structured-headers library makes of them is exactly what was written.
      expect(serializeDictionary(parseDictionary(input))).toBe(input);
      expect(serializeDictionary(parseDictionary(signature))).toBe(signature);
      expect(input).toBe(
        `sig1=("@method" "@target-uri" "content-digest" "fsc-transaction-id" "processing-activity");created=${now};expires=${now + 60};nonce="bm9uY2Utbm9uY2Utbm9uY2U";keyid="${privateKey.kid}";alg="${type === 'ed25519' ? 'ed25519' : 'ecdsa-p256-sha256'}"`,
      );
      const value = parseDictionary(signature).get('sig1') as [ArrayBuffer, Map<string, unknown>];
      expect(value[0].byteLength).toBe(64);
    });

    it('verifies a signed request and reports its parameters', async () => {
      const { privateKey, publicKey } = await keyPair(type);
      const request = await signedRequest(privateKey);
      const verified = await verify(request, publicKey);
      expect(verified.params).toMatchObject({ keyid: privateKey.kid, created: now, expires: now + 60 });
      expect(verified.params.alg).toBe(type === 'ed25519' ? 'ed25519' : 'ecdsa-p256-sha256');
    });

    it('refuses every tampering', async () => {
      const { privateKey, publicKey } = await keyPair(type);
      const request = await signedRequest(privateKey);
      expect(await reason(verify({ ...request, method: 'PUT' }, publicKey))).toBe('badSignature');
      expect(await reason(verify({ ...request, targetUri: 'https://gateway.example/personen/x' }, publicKey))).toBe(
        'badSignature',
      );
      expect(
        await reason(
          verify(
            { ...request, headers: { ...request.headers, 'processing-activity': 'https://evil.example/pa' } },
            publicKey,
          ),
        ),
      ).toBe('badSignature');
      const { 'fsc-transaction-id': _t, ...withoutTx } = request.headers;
      expect(await reason(verify({ ...request, headers: withoutTx }, publicKey))).toBe('missingComponent');
      const { signature: _s, ...unsigned } = request.headers;
      expect(await reason(verify({ ...request, headers: unsigned }, publicKey))).toBe('missing');
    });

    it('refuses another key, an unknown key, a wrong algorithm claim, and the wrong time', async () => {
      const { privateKey } = await keyPair(type);
      const other = await keyPair(type);
      const request = await signedRequest(privateKey);
      expect(await reason(verify(request, other.publicKey))).toBe('badSignature');
      expect(await reason(verify(request, undefined))).toBe('unknownKey');
      const wrongType = await keyPair(type === 'ed25519' ? 'p256' : 'ed25519');
      expect(await reason(verify(request, wrongType.publicKey))).toBe('algorithmMismatch');
      expect(await reason(verify(request, (await keyPair(type)).publicKey, now + 200))).toBe('expired');
      expect(
        await reason(verify(await signedRequest(privateKey, { created: now + 120, expires: now + 180 }), undefined)),
      ).toBe('notYetValid');
      expect(await reason(verify(await signedRequest(privateKey, { expires: now + 3600 }), undefined))).toBe(
        'validityTooLong',
      );
    });

    it('tolerates 60 s of clock skew', async () => {
      const { privateKey, publicKey } = await keyPair(type);
      const early = await signedRequest(privateKey, { created: now + 50, expires: now + 110 });
      await expect(verify(early, publicKey)).resolves.toBeDefined();
      const late = await signedRequest(privateKey, { created: now - 100, expires: now - 50 });
      await expect(verify(late, publicKey)).resolves.toBeDefined();
    });

    it('binds a response signature to the request signature with ;req', async () => {
      const caller = await keyPair(type);
      const provider = await keyPair(type);
      const request = await signedRequest(caller.privateKey);
      const responseBody = '{"type":"RaadpleegMetBurgerservicenummer","personen":[]}';
      const responseHeaders: Record<string, string> = {
        'content-digest': await contentDigest(responseBody),
        'fsc-transaction-id': request.headers['fsc-transaction-id'] ?? '',
      };
      const components = ['@status', 'content-digest', 'fsc-transaction-id', '"signature";key="sig1";req'];
      const signed = await signMessage(view({ status: 200, headers: responseHeaders }), {
        components,
        privateKey: provider.privateKey,
        created: now,
        request: view(request),
      });
      const response = { status: 200, headers: { ...responseHeaders, ...signed } };
      const verifyResponse = (res: typeof response, req: typeof request) =>
        verifyMessage(view(res), {
          requiredComponents: components,
          publicKeyFor: () => provider.publicKey,
          now,
          requireExpiresAndNonce: false,
          request: view(req),
        });
      await expect(verifyResponse(response, request)).resolves.toBeDefined();
      expect(await reason(verifyResponse({ ...response, status: 201 }, request))).toBe('badSignature');
      const otherRequest = await signedRequest(caller.privateKey, { created: now - 1 });
      expect(await reason(verifyResponse(response, otherRequest))).toBe('badSignature');
    });
  });
}
