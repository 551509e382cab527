import { X509Certificate } from 'node:crypto';
import type { DirectorySnapshot } from '@poortwachter/protocol';
import {
  contentHash,
  issueCertificate,
  makeCertificateAuthority,
  newContractContent,
  signContract,
} from '@poortwachter/protocol/contracts';
import { ed25519KeyPair } from '@poortwachter/protocol/testing';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyContractSignatures } from './change-log.ts';

const RVIG = '00000001001234567000';
const UTRECHT = '00000001002220647000';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000);
const ca = makeCertificateAuthority('test CA', { notBefore: new Date('2025-01-01T00:00:00Z') });
const anchors = [new X509Certificate(Buffer.from(ca.certificate, 'base64'))];

/** A key of `oin` certified by the test CA, listed with `listed` (its revokedAt, validFrom). */
async function certified(oin: string, listed: { revokedAt?: string; validFrom?: string } = {}) {
  const { privateKey, publicKey } = await ed25519KeyPair();
  const key = {
    kid: publicKey.kid as string,
    jwk: publicKey,
    status: listed.revokedAt ? 'revoked' : 'active',
    revokedAt: listed.revokedAt ?? null,
    validFrom: listed.validFrom ?? at(0).toISOString(),
    validTo: null,
    x5c: [
      issueCertificate({
        issuer: ca,
        subject: { commonName: oin, serialNumber: oin },
        publicJwk: publicKey,
        notBefore: at(-1),
      }),
    ],
  };
  return { privateKey, key };
}

const organisation = (oin: string, keys: unknown[]) => ({
  oin,
  name: oin,
  kind: 'gemeente',
  roles: [],
  keys,
  revokedAt: null,
});

/** A contract between Utrecht and RvIG, with the accepts `by` (a private key and when it signed). */
async function contract(...by: [JWK, Date][]) {
  const content = newContractContent({
    afnemerOin: UTRECHT,
    serviceId: 'brp-personen',
    bronhouderOin: RVIG,
    processingActivityId: 'utrecht-wmo',
    processingActivityVersion: 1,
    grondslagId: 'wmo-2015',
    fields: ['naam.voornamen'],
    validFrom: at(0),
    validTo: new Date('2027-01-01T00:00:00Z'),
    groupId: 'test',
    createdAt: at(0),
  });
  const hash = contentHash(content);
  const signatures = await Promise.all(by.map(([key, signedAt]) => signContract(hash, 'accept', key, { signedAt })));
  return { hash, content, signatures };
}

describe('verifyContractSignatures', () => {
  it('discounts a signature whose key a later revoke dated back before it, and still names every other that does not count', async () => {
    const utrecht = await certified(UTRECHT);
    // RvIG's key leaked at hour 2; it signed at hour 3; a revoke dated back to hour 2 followed.
    const leaked = await certified(RVIG, { revokedAt: at(2).toISOString() });
    // A key listed from hour 10 that signed at hour 5, and a key nobody listed.
    const early = await certified(RVIG, { validFrom: at(10).toISOString() });
    const stranger = await ed25519KeyPair();
    const discounted = await contract([utrecht.privateKey, at(1)], [leaked.privateKey, at(3)]);
    const before = await contract([utrecht.privateKey, at(1)], [early.privateKey, at(5)]);
    const unlisted = await contract([utrecht.privateKey, at(1)], [stranger.privateKey, at(5)]);
    const snapshot = {
      organisations: [organisation(UTRECHT, [utrecht.key]), organisation(RVIG, [leaked.key, early.key])],
      contracts: [discounted, before, unlisted],
    } as unknown as DirectorySnapshot;

    const check = await verifyContractSignatures(snapshot, anchors, at(24));
    expect(check).toMatchObject({ contracts: 3, signatures: 6 });
    expect(check.discounted).toEqual([
      `contract ${discounted.hash}: the accept signature by key ${leaked.key.kid} (signed at 2026-01-01T03:00:00.000Z) no longer counts: the key was revoked from 2026-01-01T02:00:00.000Z (a revoke after it, in the change log).`,
    ]);
    expect(check.findings).toEqual([
      `contract ${before.hash}: the accept signature by key ${early.key.kid} does not count: its key could not sign at signed_at.`,
      `contract ${unlisted.hash}: the accept signature by key ${stranger.publicKey.kid} does not count: its key is not anchored.`,
    ]);
  });
});
