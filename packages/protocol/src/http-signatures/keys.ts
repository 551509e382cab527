import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { JWK } from 'jose';
import { boundedCache } from '../bounded-cache.ts';
import { HttpSignatureError } from './errors.ts';

/** RFC 9421 algorithm names this project accepts, and the JWK each needs. */
export type SignatureAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256'];

/** The RFC 9421 algorithm of a key: Ed25519 (OKP) or P-256 (EC); anything else is refused. */
export function algorithmOf(jwk: JWK): SignatureAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ecdsa-p256-sha256';
  throw new HttpSignatureError('algorithmMismatch', `Keys of type ${jwk.kty}/${jwk.crv} cannot sign messages here.`);
}

// Parsing a JWK into a key is the expensive part of a signature check; a gateway sees the same few
// keys over and over, so parsed keys are kept (bounded, cleared when full).
const keys = boundedCache<KeyObject>(1000);
function keyObject(jwk: JWK, kind: 'private' | 'public'): KeyObject {
  const id = `${kind}:${jwk.kty}:${jwk.crv}:${jwk.x}:${jwk.y ?? ''}:${kind === 'private' ? jwk.d : ''}`;
  return keys(id, () => {
    const material = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
    try {
      return kind === 'private'
        ? createPrivateKey({ key: { ...material, d: jwk.d } as JWK & { kty: string }, format: 'jwk' })
        : createPublicKey({ key: material as JWK & { kty: string }, format: 'jwk' });
    } catch (cause) {
      throw new HttpSignatureError('malformed', 'The key is not a valid JWK.', { cause });
    }
  });
}

// Where the arithmetic runs was measured on the gateway (`pnpm bench:gateway`, 2 cores): signing stays on
// the calling thread (25 to 40 µs; handing it to a pool thread and back costs about as much), and
// verifying, which is the larger part (Ed25519 about 130 µs, P-256 about 70 µs), runs on libuv's thread
// pool (node:crypto with a callback) so that the gateway's event loop serves other requests meanwhile.
// Both on the pool cost about 300 µs more CPU per request; both on the event loop left it the bottleneck.

/** Signs bytes; ECDSA signatures are raw r‖s (64 bytes), as RFC 9421 §3.3.4 requires. */
export async function signBytes(privateJwk: JWK, data: Uint8Array): Promise<Uint8Array> {
  const alg = algorithmOf(privateJwk);
  if (!privateJwk.d) throw new HttpSignatureError('malformed', 'Signing needs a private key.');
  const key = keyObject(privateJwk, 'private');
  return alg === 'ed25519' ? sign(null, data, key) : sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
}

export function verifyBytes(publicJwk: JWK, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const alg = algorithmOf(publicJwk);
  const key = keyObject(publicJwk, 'public');
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, valid: boolean) => (error ? reject(error) : resolve(valid));
    if (alg === 'ed25519') verify(null, data, key, signature, done);
    else verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature, done);
  });
}
