import { createPublicKey, X509Certificate } from 'node:crypto';
import { invalidField, type PublicJwk } from '@poortwachter/protocol';
import { type ChainRefusal, certificateWindow } from '@poortwachter/protocol/contracts';
import type { JWK } from 'jose';

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

/** How far ahead of the registry's clock a certificate's notBefore may lie (the clock skew of signatures). */
const CLOCK_SKEW_MS = 60_000;

/** The reason, in Dutch, the registry gives for each way a chain fails to anchor a key. */
const REFUSALS: Record<ChainRefusal['code'], (oin: string) => string> = {
  chainLength: () => 'Geef de keten als 1 tot 5 certificaten, het certificaat van de sleutel eerst.',
  notCertificate: () => 'Dit is geen certificaat (base64 DER).',
  certificateKey: () => 'Het eerste certificaat hoort niet bij deze sleutel.',
  certificateOin: (oin) =>
    `Het certificaat noemt een andere organisatie in serialNumber: het moet de OIN ${oin} noemen.`,
  certificateIsCa: () =>
    'Dit is het certificaat van een certificaatautoriteit (CA:true of keyCertSign), niet van een sleutel die ondertekent.',
  certificateKeyUsage: () => 'Dit certificaat staat ondertekenen niet toe: keyUsage mist digitalSignature.',
  chainBroken: () => 'Dit certificaat heeft het certificaat ervoor in de keten niet uitgegeven.',
  noTrustAnchor: () =>
    'De keten leidt niet naar een vertrouwd basiscertificaat van het register (TRUST_ANCHORS_FILE, bijvoorbeeld PKIoverheid).',
};

/**
 * Checks that `x5c` anchors the key `jwk` for `oin` now: core's `certificateWindow` (the one rule, as
 * every gateway applies it), and a chain valid at `now`: already begun (`certificateNotYetValid`,
 * naming the certificate, within a minute's skew) and not ended (`certificateExpired`). Throws a 400 naming the member (`x5c`,
 * or `x5c[0]` for the leaf) and saying why in Dutch. `name` is where the chain sits in the request.
 *
 * @example
 * checkAnchoringCertificate(x5c, oin, key.jwk, anchors, new Date(), 'x5c');
 */
export function checkAnchoringCertificate(
  x5c: readonly string[],
  oin: string,
  jwk: PublicJwk,
  anchors: readonly X509Certificate[],
  now: Date,
  name: string,
): void {
  const window = certificateWindow(x5c, oin, jwk as JWK, anchors);
  if ('why' in window) {
    const member = window.index === undefined ? name : `${name}[${window.index}]`;
    const reason =
      window.code === 'noTrustAnchor' && anchors.length === 0
        ? 'Het register heeft geen vertrouwde basiscertificaten: zet TRUST_ANCHORS_FILE.'
        : REFUSALS[window.code](oin);
    throw invalidField(member, reason, window.code);
  }
  // A chain that holds only later is refused now, not stored to count once it starts: the operator
  // certifies a key for use. The skew allows a certificate issued a moment ago by a clock a bit ahead.
  if (window.from > now.getTime() + CLOCK_SKEW_MS) {
    const index = x5c.findIndex(
      (der) => Date.parse(new X509Certificate(Buffer.from(der, 'base64')).validFrom) > now.getTime() + CLOCK_SKEW_MS,
    );
    throw invalidField(
      index < 0 ? name : `${name}[${index}]`,
      `Dit certificaat geldt pas vanaf ${new Date(window.from).toISOString()}: certificeer de sleutel zodra het geldt.`,
      'certificateNotYetValid',
    );
  }
  if (window.to <= now.getTime())
    throw invalidField(
      name,
      `De keten is verlopen op ${new Date(window.to).toISOString()}: vraag een nieuw certificaat aan.`,
      'certificateExpired',
    );
}
