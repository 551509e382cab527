import type { JWK } from 'jose';
import { signWith, verifyWith } from '#platform';
import type { SignatureAlgorithm } from '../platform/algorithms.ts';
import { HttpSignatureError } from './errors.ts';

export type { SignatureAlgorithm };
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256'];

/** The RFC 9421 algorithm of a key: Ed25519 (OKP) or P-256 (EC); anything else is refused. */
export function algorithmOf(jwk: JWK): SignatureAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ecdsa-p256-sha256';
  throw new HttpSignatureError('algorithmMismatch', `Keys of type ${jwk.kty}/${jwk.crv} cannot sign messages here.`);
}

const malformed = (cause: unknown): never => {
  throw new HttpSignatureError('malformed', 'The key is not a valid JWK.', { cause });
};

/** Signs bytes; ECDSA signatures are raw r‖s (64 bytes), as RFC 9421 §3.3.4 requires. */
export async function signBytes(privateJwk: JWK, data: Uint8Array): Promise<Uint8Array> {
  const alg = algorithmOf(privateJwk);
  if (!privateJwk.d) throw new HttpSignatureError('malformed', 'Signing needs a private key.');
  return signWith(alg, privateJwk, data, malformed);
}

export function verifyBytes(publicJwk: JWK, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifyWith(algorithmOf(publicJwk), publicJwk, data, signature, malformed);
}
