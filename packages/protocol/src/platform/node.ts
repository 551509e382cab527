/**
 * The cryptography the protocol needs, from Node's own `node:crypto`. The protocol imports it as
 * `#platform`; bundlers that build for the browser take `./browser.ts` instead (the `browser`
 * condition of `#platform` in this package's `imports`), so the same protocol code runs in a
 * citizen's browser without any Node module.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomFillSync,
  sign,
  verify,
} from 'node:crypto';
import type { JWK } from 'jose';
import { boundedCache } from '../bounded-cache.ts';
import type { SignatureAlgorithm } from './algorithms.ts';

/** SHA-256 of the parts, one after the other. */
export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Fills `bytes` from the CSPRNG. */
export const randomFill = (bytes: Uint8Array): Uint8Array => randomFillSync(bytes);

// Parsing a JWK into a key is the expensive part of a signature check; a gateway sees the same few
// keys over and over, so parsed keys are kept (bounded, cleared when full).
const keys = boundedCache<KeyObject>(1000);
// And by the JWK object itself (the gateway's signing key, a directory entry's key): no id string to
// build and hash per call. An entry holds the members it was made from and is used only while the
// object still has exactly those.
interface KeptKey {
  readonly kty: unknown;
  readonly crv: unknown;
  readonly x: unknown;
  readonly y: unknown;
  readonly d: unknown;
  readonly key: KeyObject;
}
const keptKeys = { private: new WeakMap<JWK, KeptKey>(), public: new WeakMap<JWK, KeptKey>() };
function keyObject(jwk: JWK, kind: 'private' | 'public', fail: (cause: unknown) => never): KeyObject {
  const kept = keptKeys[kind].get(jwk);
  if (
    kept !== undefined &&
    kept.kty === jwk.kty &&
    kept.crv === jwk.crv &&
    kept.x === jwk.x &&
    kept.y === jwk.y &&
    kept.d === (kind === 'private' ? jwk.d : undefined)
  ) {
    return kept.key;
  }
  const d = kind === 'private' ? jwk.d : undefined;
  const id = `${kind}:${jwk.kty}:${jwk.crv}:${jwk.x}:${jwk.y ?? ''}:${d ?? ''}`;
  const key = keys(id, () => {
    const material = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
    try {
      return kind === 'private'
        ? createPrivateKey({ key: { ...material, d } as JWK & { kty: string }, format: 'jwk' })
        : createPublicKey({ key: material as JWK & { kty: string }, format: 'jwk' });
    } catch (cause) {
      return fail(cause);
    }
  });
  keptKeys[kind].set(jwk, { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d, key });
  return key;
}

// Where the arithmetic runs was measured on the gateway (`pnpm bench:gateway`, 2 cores): signing stays on
// the calling thread (25 to 40 µs; handing it to a pool thread and back costs about as much), and
// verifying, which is the larger part (Ed25519 about 130 µs, P-256 about 70 µs), runs on libuv's thread
// pool (node:crypto with a callback) so that the gateway's event loop serves other requests meanwhile.
// Both on the pool cost about 300 µs more CPU per request; both on the event loop left it the bottleneck.

/** Signs bytes; ECDSA signatures are raw r‖s (64 bytes), as RFC 9421 §3.3.4 requires. */
export async function signWith(
  alg: SignatureAlgorithm,
  privateJwk: JWK,
  data: Uint8Array,
  fail: (cause: unknown) => never,
): Promise<Uint8Array> {
  const key = keyObject(privateJwk, 'private', fail);
  return alg === 'ed25519' ? sign(null, data, key) : sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
}

export function verifyWith(
  alg: SignatureAlgorithm,
  publicJwk: JWK,
  data: Uint8Array,
  signature: Uint8Array,
  fail: (cause: unknown) => never,
): Promise<boolean> {
  const key = keyObject(publicJwk, 'public', fail);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, valid: boolean) => (error ? reject(error) : resolve(valid));
    if (alg === 'ed25519') verify(null, data, key, signature, done);
    else verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature, done);
  });
}
