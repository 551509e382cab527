import { createPublicKey, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { Organisation, OrganisationKey } from '../domain/model.ts';
import { keyUsageOf } from './certificates.ts';

/**
 * Keys the registry cannot forge: an organisation key counts only when it is anchored outside the
 * registry, by an X.509 chain to a configured trust anchor whose leaf names the organisation's OIN in
 * its subject's serialNumber (as PKIoverheid certificates and FSC do), or by an endorsement from the
 * organisation's own anchored key (key continuity for a rotation). A registry operator can list any key
 * under any organisation; without the organisation's certificate or its old key, that key signs nothing
 * that counts.
 */

/** The JOSE `typ` of an organisation's endorsement of its next key. */
export const KEY_ENDORSEMENT_TYP = 'poortwachter-key-endorsement+jws';

/** An anchored key and the time it may sign in (ms since 1970; `to` exclusive, Infinity when open). */
export interface AnchoredKey {
  readonly oin: string;
  readonly kid: string;
  readonly jwk: JWK;
  readonly from: number;
  readonly to: number;
  /** When the key, or its organisation, was revoked (ms), when it was: `to` is then at most this. */
  readonly revokedFrom?: number;
  readonly how: 'certificate' | 'endorsement';
}

/** The anchored keys of a directory by kid, and the keys that are not, with why. */
export interface AnchoredKeys {
  readonly byKid: ReadonlyMap<string, AnchoredKey>;
  readonly refused: readonly { readonly oin: string; readonly kid: string; readonly why: string }[];
}

/** The payload of an endorsement: `oin` vouches for the key with thumbprint `kid`, at `endorsed_at` (Unix seconds). */
export interface KeyEndorsementPayload {
  readonly oin: string;
  readonly kid: string;
  readonly endorsed_at: number;
}

/** Reads the certificates of a PEM bundle (the trust anchors). Throws when it holds none. */
export function parseTrustAnchors(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('The trust anchors file holds no PEM certificate.');
  return blocks.map((block) => new X509Certificate(block));
}

/** The subject's serialNumber attribute (OID 2.5.4.5), as Node renders the subject. */
export function subjectSerialNumber(certificate: X509Certificate): string | undefined {
  for (const line of certificate.subject.split('\n')) {
    const match = /^serialNumber=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

const MAX_CHAIN = 5;

function sameKey(certificate: X509Certificate, jwk: JWK): boolean {
  try {
    const a = certificate.publicKey.export({ format: 'der', type: 'spki' });
    const b = createPublicKey({
      key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) } as JWK & { kty: string },
      format: 'jwk',
    }).export({ format: 'der', type: 'spki' });
    return a.equals(b);
  } catch {
    return false;
  }
}

/** Why a certificate chain does not anchor a key, with which certificate (`index` into `x5c`) it is about. */
export interface ChainRefusal {
  readonly code:
    | 'chainLength'
    | 'notCertificate'
    | 'certificateKey'
    | 'certificateOin'
    | 'certificateIsCa'
    | 'certificateKeyUsage'
    | 'chainBroken'
    | 'noTrustAnchor';
  readonly index?: number;
  readonly why: string;
}

/**
 * The window (ms; `to` exclusive) in which the chain `x5c` anchors `jwk` for `oin`, or why it does not:
 * the leaf holds that key and names the OIN in its subject's serialNumber, is no CA's (not CA:true, no
 * keyCertSign) and, when it states a keyUsage, allows digitalSignature; each certificate is issued by
 * the next, and the last is, or is issued by, one of `anchors`. The one rule for a key's certificate:
 * `anchoredKeys` and the registry's checks of a chain it is given both ask it.
 *
 * @example
 * const window = certificateWindow(key.x5c, oin, key.jwk, anchors);
 * if ('why' in window) console.log(window.why);
 */
export function certificateWindow(
  x5c: readonly string[],
  oin: string,
  jwk: JWK,
  anchors: readonly X509Certificate[],
): { from: number; to: number } | ChainRefusal {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN)
    return { code: 'chainLength', why: `its x5c must hold 1 to ${MAX_CHAIN} certificates` };
  const chain: X509Certificate[] = [];
  for (const [index, b64] of x5c.entries()) {
    try {
      chain.push(new X509Certificate(Buffer.from(b64, 'base64')));
    } catch {
      return { code: 'notCertificate', index, why: 'its x5c holds something that is not a DER certificate' };
    }
  }
  const leaf = chain[0] as X509Certificate;
  if (!sameKey(leaf, jwk))
    return { code: 'certificateKey', index: 0, why: 'its certificate is for another public key' };
  const serial = subjectSerialNumber(leaf);
  if (serial !== oin)
    return {
      code: 'certificateOin',
      index: 0,
      why: `its certificate names serialNumber ${serial ?? '(none)'}, not the OIN ${oin}`,
    };
  // A key's certificate is a leaf that signs: one that may issue certificates is a CA's, whoever holds it.
  const usage = keyUsageOf(leaf.raw);
  if (leaf.ca || usage?.keyCertSign)
    return {
      code: 'certificateIsCa',
      index: 0,
      why: 'its certificate is a CA certificate (CA:true or keyCertSign), not the certificate of a signing key',
    };
  if (usage && !usage.digitalSignature)
    return { code: 'certificateKeyUsage', index: 0, why: 'its certificate does not allow digitalSignature' };
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as X509Certificate;
    const parent = chain[i + 1] as X509Certificate;
    if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey))
      return {
        code: 'chainBroken',
        index: i + 1,
        why: `certificate ${i + 1} of its chain is not issued by certificate ${i + 2}`,
      };
  }
  const top = chain[chain.length - 1] as X509Certificate;
  const anchor = anchors.find(
    (a) => a.fingerprint256 === top.fingerprint256 || (a.ca && top.checkIssued(a) && top.verify(a.publicKey)),
  );
  if (!anchor) return { code: 'noTrustAnchor', why: 'its certificate chain does not lead to a trust anchor' };
  let from = -Infinity;
  let to = Infinity;
  for (const certificate of [...chain, anchor]) {
    from = Math.max(from, Date.parse(certificate.validFrom));
    to = Math.min(to, Date.parse(certificate.validTo));
  }
  return { from, to };
}

/**
 * When a key may sign by its own record: from its validFrom until its end, its revocation or its
 * organisation's (ms); `revokedFrom` when it ended by a revocation (the key's or its organisation's, the
 * earlier), so that a signature after it can be named apart.
 */
export function keyWindow(
  organisation: Organisation,
  key: OrganisationKey,
): { from: number; to: number; revokedFrom?: number } {
  const times = (values: readonly (string | null | undefined)[]) =>
    values.filter((t): t is string => typeof t === 'string').map((t) => Date.parse(t));
  const revoked = times([key.revokedAt, organisation.revokedAt]);
  return {
    from: Date.parse(key.validFrom),
    to: Math.min(Infinity, ...revoked, ...times([key.validTo])),
    ...(revoked.length > 0 ? { revokedFrom: Math.min(...revoked) } : {}),
  };
}

function endorsementOf(jws: string): { kid: string; payload: KeyEndorsementPayload } | undefined {
  try {
    const header = decodeProtectedHeader(jws);
    const payload = JSON.parse(
      Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as KeyEndorsementPayload;
    if (header.typ !== KEY_ENDORSEMENT_TYP || typeof header.kid !== 'string') return undefined;
    if (
      typeof payload.oin !== 'string' ||
      typeof payload.kid !== 'string' ||
      !Number.isSafeInteger(payload.endorsed_at)
    )
      return undefined;
    return { kid: header.kid, payload };
  } catch {
    return undefined;
  }
}

async function verifies(jws: string, jwk: JWK): Promise<boolean> {
  try {
    const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
    await compactVerify(jws, await importJWK(jwk, alg), { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Which keys of the directory's organisations are anchored, and from when to when each may sign: the
 * key's own validity (until its revocation or its organisation's), cut to its certificate chain's, or
 * for an endorsed key from the moment its anchored predecessor endorsed it. Every check happens here,
 * against `anchors`; nothing the registry says about a key makes it anchored.
 *
 * @example
 * const anchored = await anchoredKeys(snapshot.organisations, parseTrustAnchors(readFileSync(file, 'utf8')));
 * anchored.byKid.get(kid)?.oin; // the OIN the key may sign for, if any
 */
export async function anchoredKeys(
  organisations: readonly Organisation[],
  anchors: readonly X509Certificate[],
): Promise<AnchoredKeys> {
  const byKid = new Map<string, AnchoredKey>();
  const refused: { oin: string; kid: string; why: string }[] = [];
  for (const organisation of organisations) {
    const pending = new Map<string, { key: OrganisationKey; why: string }>();
    for (const key of organisation.keys) {
      const jwk = key.jwk as JWK;
      if (
        (await calculateJwkThumbprint(
          { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) } as JWK,
          'sha256',
        ).catch(() => '')) !== key.kid
      ) {
        refused.push({ oin: organisation.oin, kid: key.kid, why: 'its kid is not its thumbprint' });
        continue;
      }
      const own = keyWindow(organisation, key);
      const x5c = key.x5c;
      if (x5c) {
        const window = certificateWindow(x5c, organisation.oin, jwk, anchors);
        if (!('why' in window)) {
          const from = Math.max(own.from, window.from);
          const to = Math.min(own.to, window.to);
          byKid.set(key.kid, { oin: organisation.oin, kid: key.kid, jwk, ...own, from, to, how: 'certificate' });
          continue;
        }
        pending.set(key.kid, { key, why: window.why });
      } else {
        pending.set(key.kid, {
          key,
          why: key.endorsement ? 'its endorsement is by no anchored key' : 'it has no certificate and no endorsement',
        });
      }
    }
    // Endorsements, until no more keys become anchored (a chain of rotations; a cycle anchors nothing).
    for (let progress = true; progress; ) {
      progress = false;
      for (const [kid, { key }] of pending) {
        const endorsement = key.endorsement ? endorsementOf(key.endorsement) : undefined;
        if (!endorsement) continue;
        const endorser = byKid.get(endorsement.kid);
        const at = endorsement.payload.endorsed_at * 1000;
        if (
          !endorser ||
          endorser.oin !== organisation.oin ||
          endorsement.payload.oin !== organisation.oin ||
          endorsement.payload.kid !== kid ||
          at < endorser.from ||
          at >= endorser.to ||
          !(await verifies(key.endorsement as string, endorser.jwk))
        )
          continue;
        const own = keyWindow(organisation, key);
        byKid.set(kid, {
          oin: organisation.oin,
          kid,
          jwk: key.jwk as JWK,
          ...own,
          from: Math.max(own.from, at),
          how: 'endorsement',
        });
        pending.delete(kid);
        progress = true;
      }
    }
    for (const [kid, { why }] of pending) refused.push({ oin: organisation.oin, kid, why });
  }
  return { byKid, refused };
}
