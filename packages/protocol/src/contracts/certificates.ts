import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { JWK } from 'jose';
import {
  bitString,
  boolean,
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
}): string {
  const signer = options.issuer?.privateJwk ?? options.selfSignedWith;
  if (!signer) throw new Error('issueCertificate needs an issuer or selfSignedWith');
  const signingKey = keyObject(signer, 'private');
  const algorithm = signer.kty === 'OKP' ? ED25519 : ECDSA_SHA256;
  const issuerDn = options.issuer ? issuerSubject(options.issuer.certificate) : name(options.subject);
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 10 * 365 * 86_400_000);
  const spki = keyObject(options.publicJwk, 'public').export({ format: 'der', type: 'spki' });
  const extensions = options.ca
    ? [
        sequence(oid('2.5.29.19'), boolean(true), octetString(sequence(boolean(true)))),
        // keyUsage: keyCertSign and cRLSign (bits 5 and 6)
        sequence(oid('2.5.29.15'), boolean(true), octetString(Buffer.from([0x03, 0x02, 0x01, 0x06]))),
      ]
    : [
        sequence(oid('2.5.29.19'), boolean(true), octetString(sequence())),
        // keyUsage: digitalSignature (bit 0)
        sequence(oid('2.5.29.15'), boolean(true), octetString(Buffer.from([0x03, 0x02, 0x07, 0x80]))),
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

/** The subject Name of a DER certificate, as its bytes (the issuer of what it signs). */
function issuerSubject(certificateB64: string): Buffer {
  // Certificate → tbsCertificate → [version, serial, signature, issuer, validity, subject, …]
  const der = Buffer.from(certificateB64, 'base64');
  const children = (buffer: Buffer, at: number): { start: number; end: number; header: number }[] => {
    const out: { start: number; end: number; header: number }[] = [];
    const { contentStart, end } = element(buffer, at);
    for (let i = contentStart; i < end; ) {
      const child = element(buffer, i);
      out.push({ start: i, end: child.end, header: child.contentStart - i });
      i = child.end;
    }
    return out;
  };
  const tbs = children(der, 0)[0];
  if (!tbs) throw new Error('not a certificate');
  const subject = children(der, tbs.start)[5];
  if (!subject) throw new Error('not a certificate');
  return der.subarray(subject.start, subject.end);
}

function element(buffer: Buffer, at: number): { contentStart: number; end: number } {
  const first = buffer[at + 1] ?? 0;
  if (first < 0x80) return { contentStart: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (buffer[at + 2 + i] ?? 0);
  return { contentStart: at + 2 + n, end: at + 2 + n + len };
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
