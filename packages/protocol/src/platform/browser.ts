/**
 * The cryptography the protocol needs, in a browser: SHA-256 from @noble/hashes (synchronous, as the
 * Merkle code needs it; WebCrypto's digest is asynchronous only) and signatures from WebCrypto, which
 * checks Ed25519 and P-256 natively. Taken instead of `./node.ts` for `#platform` by bundlers that
 * build for the browser (the `browser` condition in this package's `imports`). Same exports, same behaviour:
 * `platform.test.ts` runs both on the same inputs.
 */

import type { webcrypto } from 'node:crypto'; // types only: erased, nothing of Node is loaded
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { JWK } from 'jose';
import type { SignatureAlgorithm } from './algorithms.ts';

const utf8 = new TextEncoder();

/** SHA-256 of the parts, one after the other. */
export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const hash = nobleSha256.create();
  for (const part of parts) hash.update(typeof part === 'string' ? utf8.encode(part) : part);
  return hash.digest();
}

/** Fills `bytes` from the CSPRNG (at most 65 536 bytes at a time, as WebCrypto allows). */
export function randomFill(bytes: Uint8Array): Uint8Array {
  for (let offset = 0; offset < bytes.length; offset += 65_536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(bytes.length, offset + 65_536)));
  }
  return bytes;
}

const importParams = (alg: SignatureAlgorithm) =>
  alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
const signParams = (alg: SignatureAlgorithm) =>
  alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };

const keys = new Map<string, Promise<webcrypto.CryptoKey>>();
function cryptoKey(alg: SignatureAlgorithm, jwk: JWK, kind: 'private' | 'public'): Promise<webcrypto.CryptoKey> {
  const id = `${kind}:${jwk.kty}:${jwk.crv}:${jwk.x}:${jwk.y ?? ''}:${kind === 'private' ? jwk.d : ''}`;
  let key = keys.get(id);
  if (!key) {
    const material = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
    key = globalThis.crypto.subtle.importKey(
      'jwk',
      (kind === 'private' ? { ...material, d: jwk.d } : material) as webcrypto.JsonWebKey,
      importParams(alg),
      false,
      [kind === 'private' ? 'sign' : 'verify'],
    );
    if (keys.size >= 1000) keys.clear();
    keys.set(id, key);
    // A key that fails to import is not kept: the next call reports the same failure afresh.
    key.catch(() => keys.delete(id));
  }
  return key;
}

async function imported(
  alg: SignatureAlgorithm,
  jwk: JWK,
  kind: 'private' | 'public',
  fail: (cause: unknown) => never,
) {
  try {
    return await cryptoKey(alg, jwk, kind);
  } catch (cause) {
    return fail(cause);
  }
}

/** Signs bytes; ECDSA signatures are raw r‖s (64 bytes), which is WebCrypto's own format. */
export async function signWith(
  alg: SignatureAlgorithm,
  privateJwk: JWK,
  data: Uint8Array,
  fail: (cause: unknown) => never,
): Promise<Uint8Array> {
  const key = await imported(alg, privateJwk, 'private', fail);
  return new Uint8Array(await globalThis.crypto.subtle.sign(signParams(alg), key, data as webcrypto.BufferSource));
}

export async function verifyWith(
  alg: SignatureAlgorithm,
  publicJwk: JWK,
  data: Uint8Array,
  signature: Uint8Array,
  fail: (cause: unknown) => never,
): Promise<boolean> {
  const key = await imported(alg, publicJwk, 'public', fail);
  return globalThis.crypto.subtle.verify(
    signParams(alg),
    key,
    signature as webcrypto.BufferSource,
    data as webcrypto.BufferSource,
  );
}
