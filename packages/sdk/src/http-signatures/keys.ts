import type { webcrypto } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
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

const webCrypto = (alg: SignatureAlgorithm): webcrypto.EcdsaParams | webcrypto.Algorithm =>
  alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };

async function cryptoKey(jwk: JWK, alg: SignatureAlgorithm): Promise<webcrypto.CryptoKey> {
  const key = await importJWK(jwk, alg === 'ed25519' ? 'EdDSA' : 'ES256');
  if (key instanceof Uint8Array) throw new HttpSignatureError('malformed', 'Expected an asymmetric key.');
  return key as webcrypto.CryptoKey;
}

/** Signs bytes; ECDSA signatures are raw r‖s (64 bytes), as RFC 9421 §3.3.4 requires. */
export async function signBytes(privateJwk: JWK, data: Uint8Array): Promise<Uint8Array> {
  const alg = algorithmOf(privateJwk);
  const key = await cryptoKey(privateJwk, alg);
  return new Uint8Array(await crypto.subtle.sign(webCrypto(alg), key, data as Uint8Array<ArrayBuffer>));
}

export async function verifyBytes(publicJwk: JWK, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const alg = algorithmOf(publicJwk);
  const { d: _d, ...publicPart } = publicJwk;
  const key = await cryptoKey(publicPart, alg);
  return crypto.subtle.verify(
    webCrypto(alg),
    key,
    signature as Uint8Array<ArrayBuffer>,
    data as Uint8Array<ArrayBuffer>,
  );
}
