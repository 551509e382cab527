import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * A new signing key pair for an organisation: Ed25519 (default) or P-256, as JWKs with
 * `kid` = RFC 7638 thumbprint. Register the public one; keep the private one secret.
 *
 * @example
 * const { privateKey, publicKey } = await generateSigningKey('ed25519');
 */
export async function generateSigningKey(
  type: 'ed25519' | 'p256' = 'ed25519',
): Promise<{ privateKey: JWK; publicKey: JWK }> {
  const pair =
    type === 'ed25519'
      ? await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
      : await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(pair.privateKey);
  const { d: _d, ...publicPart } = privateJwk;
  const kid = await calculateJwkThumbprint(publicPart, 'sha256');
  const alg = type === 'ed25519' ? 'EdDSA' : 'ES256';
  return { privateKey: { ...privateJwk, kid, alg }, publicKey: { ...publicPart, kid, alg } };
}
