import { createHash } from 'node:crypto';
import {
  ASSURANCE_LEVELS,
  type AssuranceLevel,
  GatewayRefusal,
  type IdentityProvider,
  isBsn,
} from '@poortwachter/protocol';
import { createLocalJWKSet, decodeJwt, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { isTokenActive } from './citizen-session.ts';

/** A citizen, as a trusted identity provider vouched for them. */
export interface Citizen {
  readonly bsn: string;
  readonly issuer: string;
  readonly assurance: AssuranceLevel;
  /**
   * `sha-256=:…:` of the bearer token: what a record of the citizen's own request names as its
   * `poortwachter.request_digest` (it identifies the request's credential without holding it).
   */
  readonly tokenDigest: string;
}

/** Longest token lifetime accepted, whatever the identity provider says: citizen tokens are short-lived. */
const MAX_TOKEN_AGE_SECONDS = 3600;

const keySets = new WeakMap<IdentityProvider, JWTVerifyGetKey>();
const keySetOf = (provider: IdentityProvider) => {
  let keySet = keySets.get(provider);
  if (!keySet) {
    keySet = createLocalJWKSet({ keys: provider.jwks.keys.map((k) => ({ ...k })) });
    keySets.set(provider, keySet);
  }
  return keySet;
};

const invalid = (detail: string, cause?: unknown) =>
  new GatewayRefusal('citizenTokenInvalid', detail, cause === undefined ? {} : { cause });

/**
 * Verifies a citizen's bearer token (a JWT, ES256) against the identity providers that the verified
 * directory trusts: issuer registered and not revoked, signature by one of its keys, audience, expiry
 * (at most an hour old), a BSN as subject, and an assurance level (`acr`) at least the provider's minimum.
 * Last, when the provider has an introspection endpoint, that its session is still on (not logged out);
 * without one a token is good until it expires. The BSN comes only from here, never from the URL.
 */
export async function verifyCitizenToken(
  authorization: string | undefined,
  directory: DirectoryIndex,
  now: number,
): Promise<Citizen> {
  const match = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) {
    throw new GatewayRefusal(
      'citizenTokenMissing',
      'Log eerst in en stuur uw token mee in de header Authorization (Bearer).',
    );
  }
  const token = match[1];
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch (cause) {
    throw invalid('Het token is geen JWT.', cause);
  }
  const at = new Date(now).toISOString();
  const provider = directory.snapshot.identity_providers.find((p) => p.issuer === issuer);
  if (!provider || (provider.revokedAt !== null && provider.revokedAt <= at)) {
    throw invalid('Het token komt niet van een inlogdienst die het register vertrouwt.');
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keySetOf(provider), {
      issuer: provider.issuer,
      audience: provider.audience,
      algorithms: ['ES256'],
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      currentDate: new Date(now),
      clockTolerance: 30,
    }));
  } catch (cause) {
    if (cause instanceof errors.JWTExpired)
      throw new GatewayRefusal('citizenTokenExpired', 'Het token is verlopen. Log opnieuw in.');
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw invalid(`Het token is niet geldig (${reason}).`, cause);
  }
  const bsn = typeof payload.sub === 'string' ? payload.sub : '';
  if (!isBsn(bsn)) throw invalid('Het token noemt geen geldig burgerservicenummer.');
  const assurance = payload.acr as AssuranceLevel;
  if (!ASSURANCE_LEVELS.includes(assurance)) throw invalid('Het token noemt geen betrouwbaarheidsniveau (acr).');
  if (ASSURANCE_LEVELS.indexOf(assurance) < ASSURANCE_LEVELS.indexOf(provider.minimumAssurance)) {
    throw new GatewayRefusal(
      'assuranceTooLow',
      `Log in op niveau ${provider.minimumAssurance} of hoger (dit token is ${assurance}).`,
    );
  }
  const { introspectionEndpoint } = provider;
  if (introspectionEndpoint && !(await isTokenActive({ ...provider, introspectionEndpoint }, token))) {
    throw invalid('U bent uitgelogd. Log opnieuw in.');
  }
  return {
    bsn,
    issuer: provider.issuer,
    assurance,
    tokenDigest: `sha-256=:${createHash('sha256').update(token).digest('base64')}:`,
  };
}
