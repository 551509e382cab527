import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { JWK } from 'jose';
import {
  bitString,
  boolean,
  childrenOf,
  type DerElement,
  element,
  explicit,
  integer,
  octetString,
  oid,
  printable,
  sequence,
  set,
  time,
  utf8,
} from './der.ts';

/**
 * The demo's certificate authority, the stand-in for the PKIoverheid roots: `pnpm start` makes one, and
 * every demo organisation key gets a certificate from it naming the organisation's OIN in its subject's
 * serialNumber, as a PKIoverheid certificate does. Gateways and clients trust it only in the demo
 * (its private key is marked `poortwachter_demo`, which production refuses).
 */

const ED25519 = sequence(oid('1.3.101.112'));
const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** A certificate subject: the organisation's name and, for an organisation key, its OIN. */
export interface CertificateSubject {
  readonly commonName: string;
  readonly organisation?: string;
  /** The OIN, in the subject's serialNumber (OID 2.5.4.5). */
  readonly serialNumber?: string;
  readonly country?: string;
}

function name(subject: CertificateSubject): Buffer {
  const rdn = (id: string, value: Buffer) => set(sequence(oid(id), value));
  return sequence(
    ...(subject.country ? [rdn('2.5.4.6', printable(subject.country))] : []),
    ...(subject.organisation ? [rdn('2.5.4.10', utf8(subject.organisation))] : []),
    rdn('2.5.4.3', utf8(subject.commonName)),
    ...(subject.serialNumber ? [rdn('2.5.4.5', printable(subject.serialNumber))] : []),
  );
}

const keyObject = (jwk: JWK, kind: 'public' | 'private'): KeyObject =>
  kind === 'private'
    ? createPrivateKey({ key: jwk as JWK & { kty: string }, format: 'jwk' })
    : createPublicKey({
        key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) } as JWK & { kty: string },
        format: 'jwk',
      });

/** The keyUsage bits a certificate of this project may state, by their number in RFC 5280 4.2.1.3. */
const KEY_USAGE_BITS = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;
export type KeyUsageBit = keyof typeof KEY_USAGE_BITS;

/** The keyUsage BIT STRING (DER): one byte of bits, its unused trailing bits counted first. */
function keyUsageBits(usage: readonly KeyUsageBit[]): Buffer {
  const numbers = usage.map((bit) => KEY_USAGE_BITS[bit]);
  const byte = numbers.reduce<number>((b, n) => b | (0x80 >> n), 0);
  return Buffer.from([0x03, 0x02, 7 - Math.max(0, ...numbers), byte]);
}

/** What issues a certificate: its certificate (base64 DER) and private key. */
export interface Issuer {
  readonly certificate: string;
  readonly privateJwk: JWK;
}

/**
 * Issues an X.509 v3 certificate for `publicJwk` (Ed25519 or P-256), signed by `issuer` (or by the key
 * itself when `selfSignedWith` is given: a root). Returns base64 DER, as a JWK's `x5c` holds it.
 *
 * @example
 * const x5c = [issueCertificate({ issuer: demoCa, subject: { commonName: 'Gemeente Utrecht', serialNumber: oin }, publicJwk })];
 */
export function issueCertificate(options: {
  readonly issuer?: Issuer;
  readonly selfSignedWith?: JWK;
  readonly subject: CertificateSubject;
  readonly publicJwk: JWK;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly ca?: boolean;
  /** Default: keyCertSign and cRLSign for a CA, digitalSignature for a key's certificate. */
  readonly keyUsage?: readonly KeyUsageBit[];
}): string {
  const signer = options.issuer?.privateJwk ?? options.selfSignedWith;
  if (!signer) throw new Error('issueCertificate needs an issuer or selfSignedWith');
  const signingKey = keyObject(signer, 'private');
  const algorithm = signer.kty === 'OKP' ? ED25519 : ECDSA_SHA256;
  const issuerDn = options.issuer ? issuerSubject(options.issuer.certificate) : name(options.subject);
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 10 * 365 * 86_400_000);
  const spki = keyObject(options.publicJwk, 'public').export({ format: 'der', type: 'spki' });
  const usage = options.keyUsage ?? (options.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature']);
  const extensions = [
    sequence(oid('2.5.29.19'), boolean(true), octetString(options.ca ? sequence(boolean(true)) : sequence())),
    sequence(oid('2.5.29.15'), boolean(true), octetString(keyUsageBits(usage))),
  ];
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    issuerDn,
    sequence(time(notBefore), time(notAfter)),
    name(options.subject),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature =
    signer.kty === 'OKP' ? sign(null, tbs, signingKey) : sign('sha256', tbs, { key: signingKey, dsaEncoding: 'der' });
  return sequence(tbs, algorithm, bitString(signature)).toString('base64');
}

/** The elements of a DER certificate's tbsCertificate: [version, serial, signature, issuer, validity, subject, spki, …]. */
function tbsElements(der: Buffer): DerElement[] {
  const tbs = childrenOf(der, element(der, 0))[0];
  if (!tbs) throw new Error('not a certificate');
  return childrenOf(der, tbs);
}

/** The subject Name of a DER certificate, as its bytes (the issuer of what it signs). */
function issuerSubject(certificateB64: string): Buffer {
  const der = Buffer.from(certificateB64, 'base64');
  const subject = tbsElements(der)[5];
  if (!subject) throw new Error('not a certificate');
  return der.subarray(subject.start, subject.end);
}

/** What a certificate's keyUsage extension (RFC 5280 4.2.1.3) allows, as far as a key's certificate matters. */
export interface KeyUsage {
  readonly digitalSignature: boolean;
  readonly keyCertSign: boolean;
}

const KEY_USAGE_OID = oid('2.5.29.15');

/**
 * The keyUsage of a DER certificate (an X509Certificate's `raw`), or undefined when it has none
 * (node:crypto shows only the extended key usage). Bit 0 is digitalSignature, bit 5 keyCertSign.
 *
 * @example
 * keyUsageOf(new X509Certificate(der).raw); // { digitalSignature: true, keyCertSign: false }
 */
export function keyUsageOf(der: Buffer): KeyUsage | undefined {
  const tagged = tbsElements(der).find((e) => e.tag === 0xa3);
  const extensions = tagged && childrenOf(der, tagged)[0];
  if (!extensions) return undefined;
  for (const extension of childrenOf(der, extensions)) {
    const [id, ...rest] = childrenOf(der, extension);
    if (!id || !der.subarray(id.start, id.end).equals(KEY_USAGE_OID)) continue;
    const value = rest.find((e) => e.tag === 0x04);
    const bits = value && element(der, value.contentStart);
    // BIT STRING: its first content byte counts the unused bits, the next holds bits 0-7.
    const first = bits && bits.tag === 0x03 && bits.end > bits.contentStart + 1 ? (der[bits.contentStart + 1] ?? 0) : 0;
    return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
  }
  return undefined;
}

/** A new certificate authority: an Ed25519 key and its self-signed root certificate. */
export function makeCertificateAuthority(
  commonName: string,
  options: { notBefore?: Date; notAfter?: Date } = {},
): Issuer {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const certificate = issueCertificate({
    selfSignedWith: privateJwk,
    subject: { commonName, organisation: 'poortwachter demo', country: 'NL' },
    publicJwk: privateJwk,
    ca: true,
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
  });
  return { certificate, privateJwk };
}

/** A certificate (base64 DER) as PEM. */
export function certificatePem(certificate: string): string {
  const lines = certificate.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
