import { createPublicKey } from 'node:crypto';
import { ProblemError, type PublicJwk, type PublicKeyMaterial } from '@poortwachter/protocol';
import { calculateJwkThumbprint, type JWK } from 'jose';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

/**
 * Checks that `jwk` is a usable Ed25519 or P-256 *public* key and returns it in canonical form with
 * `kid` set to its RFC 7638 SHA-256 thumbprint. Private keys are refused outright: a registry must
 * never hold them. `name` is the path of the key in the request, used in the error.
 *
 * @example
 * const key = await toPublicJwk({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }, 'jwk');
 * key.kid; // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'
 */
export async function toPublicJwk(jwk: Record<string, unknown>, name: string): Promise<PublicJwk> {
  const privateMember = PRIVATE_MEMBERS.find((member) => member in jwk);
  if (privateMember) {
    throw new ProblemError('paramsValidation', 'Private keys are refused: register the public key only.', {
      invalidParams: [
        {
          name: `${name}.${privateMember}`,
          code: 'privateKey',
          reason: 'Dit is een private key. Registreer alleen de publieke sleutel (zonder "d").',
        },
      ],
    });
  }
  let canonical: PublicKeyMaterial;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') {
    canonical = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  } else if (jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    canonical = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  } else {
    throw new ProblemError('paramsValidation', 'Only Ed25519 (OKP) and P-256 (EC) public keys are accepted.', {
      invalidParams: [
        {
          name: `${name}.kty`,
          code: 'unsupportedKey',
          reason: 'Alleen Ed25519 (kty OKP) en P-256 (kty EC) publieke sleutels worden geaccepteerd.',
        },
      ],
    });
  }
  try {
    // Node parses the key and checks the point is on the curve; garbage coordinates fail here.
    createPublicKey({ key: canonical as JWK & { kty: string }, format: 'jwk' });
  } catch (cause) {
    throw new ProblemError('paramsValidation', 'The key material is not a valid public key.', {
      cause,
      invalidParams: [
        { name: `${name}.x`, code: 'invalidKey', reason: 'De sleutel is geen geldige publieke sleutel.' },
      ],
    });
  }
  const kid = await calculateJwkThumbprint(canonical as JWK, 'sha256');
  if (typeof jwk.kid === 'string' && jwk.kid !== kid) {
    throw new ProblemError('paramsValidation', 'kid must be the RFC 7638 thumbprint of the key.', {
      invalidParams: [
        { name: `${name}.kid`, code: 'kidMismatch', reason: `kid moet de RFC 7638 thumbprint zijn: ${kid}.` },
      ],
    });
  }
  return { ...canonical, kid };
}
