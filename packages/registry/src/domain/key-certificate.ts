import { createPublicKey, X509Certificate } from 'node:crypto';
import { invalidField, type PublicJwk } from '@poortwachter/protocol';

/**
 * Checks a key's `x5c` as far as the registry can on its own: every member is a base64 DER certificate
 * and the first (the leaf) holds exactly this public key. Whether the chain reaches a trust anchor and
 * names the organisation is for whoever trusts the key (`anchoredKeys`): the registry stores what it
 * was given. `name` is where the chain sits in the request (`keys[0].x5c`).
 */
export function checkX5c(x5c: readonly string[], jwk: PublicJwk, name: string): void {
  const certificates = x5c.map((der, index) => {
    try {
      return new X509Certificate(Buffer.from(der, 'base64'));
    } catch {
      throw invalidField(`${name}[${index}]`, 'Dit is geen certificaat (base64 DER).', 'certificate');
    }
  });
  const leaf = certificates[0];
  const { kid: _kid, ...material } = jwk;
  const held = createPublicKey({ key: material as never, format: 'jwk' });
  if (!leaf?.publicKey.equals(held)) {
    throw invalidField(`${name}[0]`, 'Het eerste certificaat hoort niet bij deze sleutel.', 'certificateKey');
  }
}
