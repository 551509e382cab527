import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markDemoKey } from '@poortwachter/operations';
import {
  certificatePem,
  type Issuer,
  issueCertificate,
  makeCertificateAuthority,
} from '@poortwachter/protocol/contracts';
import { writeFileAtomic } from '@poortwachter/sdk';
import { DEMO_ORGANISATIONS, type SeedOrganisation } from '@poortwachter/seeds';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { OPERATOR } from '../domain/actor.ts';
import { setKeyCertificate } from '../repositories/organisations.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { publicJwkOf, writeSecretFile } from './key-files.ts';

/** The demo CA as the seed keeps it: the issuer, and its certificate parsed (the demo's trust anchor). */
export interface DemoCa {
  readonly issuer: Issuer;
  readonly certificate: X509Certificate;
}

const YEAR_MS = 365.25 * 86_400_000;

/**
 * The demo CA beside the demo keys: `<keyDir>/demo-ca.pem` (its certificate: the trust anchor every
 * demo server reads, TRUST_ANCHORS_FILE's demo default) and `demo-ca.key.json` (its private JWK, 0600,
 * demo-marked so that production refuses it). Made on the first demo start, read on every later one.
 */
export async function loadOrCreateDemoCa(keyDir: string, now: Date): Promise<DemoCa> {
  const pemFile = join(keyDir, 'demo-ca.pem');
  const keyFile = join(keyDir, 'demo-ca.key.json');
  if (existsSync(pemFile) && existsSync(keyFile)) {
    const certificate = new X509Certificate(readFileSync(pemFile));
    const privateJwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
    return { issuer: { certificate: certificate.raw.toString('base64'), privateJwk }, certificate };
  }
  // From before the oldest demo record, for twenty years: no demo key outlives its certificate.
  const notBefore = new Date(now.getTime() - 800 * 86_400_000);
  const issuer = makeCertificateAuthority('poortwachter demo CA', {
    notBefore,
    notAfter: new Date(notBefore.getTime() + 20 * YEAR_MS),
  });
  // The key first: a CA certificate without its key beside it would be made again, and differ.
  writeSecretFile(keyFile, `${JSON.stringify(markDemoKey(issuer.privateJwk), null, 2)}\n`);
  writeFileAtomic(pemFile, certificatePem(issuer.certificate));
  return { issuer, certificate: new X509Certificate(Buffer.from(issuer.certificate, 'base64')) };
}

/** The demo CA's certificate for one demo organisation's key (base64 DER, the key's `x5c` leaf). */
export function certifyDemoKey(
  ca: DemoCa,
  organisation: Pick<SeedOrganisation, 'oin' | 'name'>,
  privateJwk: JWK,
  validFrom: Date,
): string {
  return issueCertificate({
    issuer: ca.issuer,
    subject: {
      commonName: organisation.name,
      organisation: organisation.name,
      serialNumber: organisation.oin,
      country: 'NL',
    },
    publicJwk: publicJwkOf(privateJwk),
    notBefore: validFrom,
    notAfter: new Date(validFrom.getTime() + 10 * YEAR_MS),
  });
}

/**
 * A demo registry seeded before issue 28: every demo organisation's key that the seed holds and the
 * registry lists without a certificate gains one from the demo CA (a recorded change). Keys the seed
 * does not hold are left as they are.
 */
export async function certifyRegisteredDemoKeys(
  db: Kysely<RegistryDatabase>,
  ca: DemoCa,
  keyDir: string,
  now: Date,
): Promise<void> {
  for (const organisation of DEMO_ORGANISATIONS) {
    const file = join(keyDir, `${organisation.oin}.jwk.json`);
    if (!existsSync(file)) continue;
    const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    const kid = await calculateJwkThumbprint(publicJwkOf(privateJwk), 'sha256');
    const row = await db
      .selectFrom('organisation_keys')
      .select(['x5c', 'status'])
      .where('kid', '=', kid)
      .where('oin', '=', organisation.oin)
      .executeTakeFirst();
    if (!row || row.x5c !== null || row.status !== 'active') continue;
    const x5c = certifyDemoKey(ca, organisation, privateJwk, new Date(now.getTime() - 86_400_000));
    await setKeyCertificate(db, organisation.oin, kid, [x5c], [ca.certificate], OPERATOR, now);
  }
}
