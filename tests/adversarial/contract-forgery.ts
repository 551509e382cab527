/**
 * An attacker's tools against contracts (issue 28), made here with node:crypto alone and not with the
 * project's contract code, so that what a gateway accepts is checked against the format as written
 * (FSC's content hash over RFC 8785 canonical JSON, compact JWS signatures) and not against our own
 * implementation of it: keys, their directory entries, content hashes and signatures of any kind.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { RawJwk } from './raw-client.ts';

/** RFC 8785 for the values a contract holds (objects, arrays, strings, safe integers): keys sorted by code unit. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FSC's content hash: `$1$1$` and the base64url of SHA3-512 over the canonical JSON. */
export const hashOf = (content: unknown) =>
  `$1$1$${createHash('sha3-512').update(canonical(content)).digest('base64url')}`;

/** RFC 7638 thumbprint of a public JWK (Ed25519 or P-256). */
export function thumbprint(jwk: RawJwk): string {
  const members =
    jwk.kty === 'OKP' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** A fresh Ed25519 key as a private JWK whose `kid` is its thumbprint (what an operator would make). */
export function newKey(): RawJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as RawJwk;
  return { ...jwk, kid: thumbprint(jwk) };
}

/** The public part of a private JWK. */
export const publicOf = (jwk: RawJwk): RawJwk =>
  jwk.kty === 'OKP'
    ? { kty: jwk.kty, crv: String(jwk.crv), x: jwk.x, kid: thumbprint(jwk) }
    : { kty: jwk.kty, crv: String(jwk.crv), x: jwk.x, y: jwk.y, kid: thumbprint(jwk) };

/** A key as the directory lists it under an organisation (optionally with a certificate chain). */
export function directoryKey(jwk: RawJwk, extra: { x5c?: string[]; revokedAt?: string } = {}) {
  return {
    kid: thumbprint(jwk),
    jwk: publicOf(jwk),
    status: extra.revokedAt ? 'revoked' : 'active',
    revokedAt: extra.revokedAt ?? null,
    validFrom: new Date(Date.now() - 86_400_000).toISOString(),
    validTo: null,
    ...(extra.x5c ? { x5c: extra.x5c } : {}),
  };
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A compact JWS (RFC 7515) over `payload` with `typ`, EdDSA or ES256 by the key's type, `kid` its thumbprint. */
export function compactJws(payload: unknown, typ: string, key: RawJwk): string {
  const ed25519 = key.kty === 'OKP';
  const header = b64url(JSON.stringify({ alg: ed25519 ? 'EdDSA' : 'ES256', kid: thumbprint(key), typ }));
  const input = `${header}.${b64url(canonical(payload))}`;
  const privateKey: KeyObject = createPrivateKey({ key: key as never, format: 'jwk' });
  const signature = ed25519
    ? sign(null, Buffer.from(input), privateKey)
    : sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

/** A party's signature on a contract hash: accept, reject or revoke, at `signedAt` (ms). */
export function signAs(
  hash: string,
  type: 'accept' | 'reject' | 'revoke',
  key: RawJwk,
  signedAt = Date.now(),
  reason?: string,
): string {
  return compactJws(
    { contract_content_hash: hash, type, signed_at: Math.floor(signedAt / 1000), ...(reason ? { reason } : {}) },
    'poortwachter-contract-signature+jws',
    key,
  );
}

export interface Terms {
  readonly afnemer: string;
  readonly bronhouder: string;
  readonly service: string;
  readonly activity: string;
  readonly activityVersion: number;
  readonly grondslag: string;
  readonly fields: readonly string[];
  readonly searchTypes: readonly string[];
  readonly delegator?: string;
  readonly groupId: string;
}

/** Contract content for `terms`, valid from a minute ago for a year, in the format's shape. */
export function contentOf(terms: Terms) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iv: randomUUID(),
    group_id: terms.groupId,
    validity: { not_before: now - 3600, not_after: now + 365 * 86_400 },
    grants: [
      {
        data: {
          type: terms.delegator ? 'GRANT_TYPE_DELEGATED_SERVICE_CONNECTION' : 'GRANT_TYPE_SERVICE_CONNECTION',
          service: { peer_id: terms.bronhouder, name: terms.service },
          outway: { peer_id: terms.afnemer },
          ...(terms.delegator ? { delegator: { peer_id: terms.delegator } } : {}),
          properties: {
            processing_activity_id: terms.activity,
            processing_activity_version: terms.activityVersion,
            grondslag_id: terms.grondslag,
            fields: [...terms.fields],
            search_types: [...terms.searchTypes],
          },
        },
      },
    ],
    hash_algorithm: 'HASH_ALGORITHM_SHA3_512',
    created_at: now - 3600,
  };
}

/** A contract as the directory carries it: its hash, content and the given signatures. */
export function signedContract(content: unknown, sign: (hash: string) => string[]) {
  const hash = hashOf(content);
  return { hash, content, signatures: sign(hash) };
}
