import { DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import { type JWK, SignJWT } from 'jose';

/** What a test may change in a citizen's token; everything else is what the dev identity provider issues. */
export interface CitizenTokenClaims {
  readonly sub: string;
  readonly acr?: string;
  readonly aud?: string;
  readonly iss?: string;
  /** Expiry in seconds since the epoch (default five minutes from now). */
  readonly exp?: number;
}

/**
 * A citizen's token as the development identity provider (examples/dev-idp) issues it, signed with
 * `key` (its key, or another one to test refusals), for tests and benchmarks.
 */
export const signCitizenToken = (key: JWK, claims: CitizenTokenClaims): Promise<string> =>
  new SignJWT({ acr: claims.acr ?? 'midden' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid ?? '' })
    .setIssuer(claims.iss ?? DEV_IDENTITY_PROVIDER.issuer)
    .setSubject(claims.sub)
    .setAudience(claims.aud ?? DEV_IDENTITY_PROVIDER.audience)
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 300)
    .sign(key);
