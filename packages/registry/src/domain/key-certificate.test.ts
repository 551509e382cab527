import { X509Certificate } from 'node:crypto';
import { isProblemError } from '@poortwachter/protocol';
import { issueCertificate, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { describe, expect, it } from 'vitest';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { checkAnchoringCertificate } from './key-certificate.ts';
import { toPublicJwk } from './public-jwk.ts';

const OIN = '00000001000000000031';
const YEAR = 365 * 86_400_000;
const NOW = new Date('2026-12-07T09:00:00Z');

async function setting() {
  const ca = makeCertificateAuthority('test CA', { notBefore: new Date(NOW.getTime() - 5 * YEAR) });
  const anchor = new X509Certificate(Buffer.from(ca.certificate, 'base64'));
  const privateKey = await generatePrivateJwk('P-256');
  const publicJwk = publicJwkOf(privateKey);
  const jwk = await toPublicJwk(publicJwk as Record<string, unknown>, 'jwk');
  const leaf = (notBefore: Date, notAfter: Date, issuer = ca, more: { ca?: boolean } = {}) =>
    issueCertificate({
      issuer,
      subject: { commonName: 'Gemeente Oudstad', organisation: 'Gemeente Oudstad', serialNumber: OIN, country: 'NL' },
      publicJwk,
      notBefore,
      notAfter,
      ...more,
    });
  return { anchor, jwk, leaf, ca };
}

/** The invalid parameter a refused chain names, or a failure when it was taken. */
function refused(check: () => void) {
  try {
    check();
  } catch (error) {
    if (isProblemError(error) && error.status === 400) return error.invalidParams?.[0];
    throw error;
  }
  throw new Error('the chain was taken');
}

describe('checkAnchoringCertificate: the chain the registry takes for a key', () => {
  it('takes a chain to its anchor that names the OIN and holds the key, still valid', async () => {
    const { anchor, jwk, leaf, ca } = await setting();
    const x5c = [leaf(new Date(NOW.getTime() - YEAR), new Date(NOW.getTime() + YEAR)), ca.certificate];
    expect(() => checkAnchoringCertificate(x5c, OIN, jwk, [anchor], NOW, 'x5c')).not.toThrow();
  });

  it('refuses an expired chain, naming x5c', async () => {
    const { anchor, jwk, leaf } = await setting();
    const x5c = [leaf(new Date(NOW.getTime() - 2 * YEAR), new Date(NOW.getTime() - YEAR))];
    expect(refused(() => checkAnchoringCertificate(x5c, OIN, jwk, [anchor], NOW, 'x5c'))).toMatchObject({
      name: 'x5c',
      code: 'certificateExpired',
    });
  });

  it('refuses a chain that holds only later, naming the certificate; a minute’s clock skew is taken', async () => {
    const { anchor, jwk, leaf, ca } = await setting();
    const later = [leaf(new Date(NOW.getTime() + YEAR), new Date(NOW.getTime() + 2 * YEAR)), ca.certificate];
    expect(refused(() => checkAnchoringCertificate(later, OIN, jwk, [anchor], NOW, 'x5c'))).toMatchObject({
      name: 'x5c[0]',
      code: 'certificateNotYetValid',
      reason: expect.stringContaining('geldt pas vanaf'),
    });
    const aMomentAhead = [leaf(new Date(NOW.getTime() + 30_000), new Date(NOW.getTime() + YEAR)), ca.certificate];
    expect(() => checkAnchoringCertificate(aMomentAhead, OIN, jwk, [anchor], NOW, 'x5c')).not.toThrow();
  });

  it('refuses a CA certificate as a key’s, naming x5c[0]', async () => {
    const { anchor, jwk, leaf, ca } = await setting();
    const x5c = [leaf(new Date(NOW.getTime() - YEAR), new Date(NOW.getTime() + YEAR), ca, { ca: true })];
    expect(refused(() => checkAnchoringCertificate(x5c, OIN, jwk, [anchor], NOW, 'x5c'))).toMatchObject({
      name: 'x5c[0]',
      code: 'certificateIsCa',
    });
  });

  it('says the registry has no trust anchors when TRUST_ANCHORS_FILE is not set', async () => {
    const { jwk, leaf } = await setting();
    const x5c = [leaf(new Date(NOW.getTime() - YEAR), new Date(NOW.getTime() + YEAR))];
    expect(refused(() => checkAnchoringCertificate(x5c, OIN, jwk, [], NOW, 'x5c'))).toMatchObject({
      name: 'x5c',
      code: 'noTrustAnchor',
      reason: expect.stringContaining('TRUST_ANCHORS_FILE'),
    });
  });

  it('names the certificate of a chain that its next one did not issue', async () => {
    const { anchor, jwk, leaf } = await setting();
    const other = makeCertificateAuthority('other CA');
    const x5c = [leaf(new Date(NOW.getTime() - YEAR), new Date(NOW.getTime() + YEAR)), other.certificate];
    expect(refused(() => checkAnchoringCertificate(x5c, OIN, jwk, [anchor], NOW, 'keys[0].x5c'))).toMatchObject({
      name: 'keys[0].x5c[1]',
      code: 'chainBroken',
    });
  });
});
