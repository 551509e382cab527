import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoCa, type DemoCa, issueCertificate, markDemoKey } from '@poortwachter/operations';
import { type SeedOrganisation, DEMO_ORGANISATIONS } from '@poortwachter/seeds';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { OPERATOR } from '../domain/actor.ts';
import type { Kysely } from 'kysely';
import { setKeyCertificate } from '../repositories/organisations.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { publicJwkOf, writeSecretFile } from './key-files.ts';
import { writeFileAtomic } from '@poortwachter/sdk';

/** The demo CA as the seed keeps it: its certificate (the demo's trust anchor) and its private key. */
export interface DemoCaFiles extends DemoCa {
  readonly certificate: X509Certificate;
}

const YEAR_MS = 365.25 * 86_400_000;

/**
 * The demo CA beside the demo keys: `<keyDir>/demo-ca.pem` (its certificate: the trust anchor every
 * demo server reads, TRUST_ANCHORS_FILE's demo default) and `demo-ca.key.json` (its private JWK, 0600,
 * demo-marked so that production refuses it). Made on the first demo start, read on every later one.
 */
export async function loadOrCreateDemoCa(keyDir: string, now: Date): Promise<DemoCaFiles> {
  const pemFile = join(keyDir, 'demo-ca.pem');
  const keyFile = join(keyDir, 'demo-ca.key.json');
  if (existsSync(pemFile) && existsSync(keyFile)) {
    const certificatePem = readFileSync(pemFile, 'utf8');
    const privateJwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
    return { certificatePem, privateJwk, certificate: new X509Certificate(certificatePem) };
  }
  const ca = await createDemoCa({ notBefore: new Date(now.getTime() - 800 * 86_400_000) });
  writeSecretFile(keyFile, `${JSON.stringify(markDemoKey(ca.privateJwk), null, 2)}\n`);
  writeFileAtomic(pemFile, ca.certificatePem);
  return { ...ca, certificate: new X509Certificate(ca.certificatePem) };
}

/** The demo CA's certificate for one demo organisation's key (base64 DER, the key's `x5c` leaf). */
export function certifyDemoKey(
  ca: DemoCa,
  organisation: Pick<SeedOrganisation, 'oin' | 'name'>,
  privateJwk: JWK,
  validFrom: Date,
): Promise<string> {
  return issueCertificate(ca, {
    publicJwk: publicJwkOf(privateJwk),
    name: organisation.name,
    oin: organisation.oin,
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
    const x5c = await certifyDemoKey(ca, organisation, privateJwk, new Date(now.getTime() - 86_400_000));
    await setKeyCertificate(db, organisation.oin, kid, [x5c], OPERATOR, now);
  }
}
