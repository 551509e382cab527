import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash, contractParties, signContract } from '@poortwachter/protocol/contracts';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { type AutorisatieTerms, contractContentOf } from '../domain/contract-terms.ts';
import {
  addContractSignature,
  type ContractTrust,
  getContract,
  listSignedContracts,
  proposeContract,
} from '../repositories/contracts.ts';
import type { RegistryDatabase } from '../storage/database.ts';

/** A demo autorisatie as the seeds package states it: the terms without what the registry looks up. */
type DemoAutorisatie = Omit<AutorisatieTerms, 'providerOin' | 'processingActivityVersion' | 'grondslagId'> & {
  readonly id: string;
};

/** A demo organisation's private key as the seed keeps it, or undefined when this data folder lacks it. */
function demoKey(keyDir: string, oin: string): JWK | undefined {
  const file = join(keyDir, `${oin}.jwk.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JWK) : undefined;
}

/**
 * The content of the demo contract for an autorisatie: the activity's current version and its first
 * grondslag, the service's bronhouder. Undefined when the registry lacks the service or activity.
 */
async function demoContent(
  db: Kysely<RegistryDatabase>,
  autorisatie: DemoAutorisatie,
  trust: ContractTrust,
  now: Date,
) {
  const service = await db
    .selectFrom('services')
    .select('provider_oin')
    .where('id', '=', autorisatie.serviceId)
    .executeTakeFirst();
  const version = await db
    .selectFrom('processing_activity_versions')
    .select(['version', 'grondslag_ids'])
    .where('id', '=', autorisatie.processingActivityId)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  const grondslagId = version ? (JSON.parse(version.grondslag_ids) as string[])[0] : undefined;
  if (!service || !version || grondslagId === undefined) return undefined;
  return contractContentOf(
    {
      ...autorisatie,
      providerOin: service.provider_oin,
      processingActivityVersion: Number(version.version),
      grondslagId,
    },
    { groupId: trust.groupId, now },
  );
}

/**
 * Every demo autorisatie as a contract both (or all three) parties accepted with the demo keys the seed
 * holds. A contract with the autorisatie's afnemer, service and activity that the registry holds already
 * (one the migration made of a demo autorisatie, or an earlier start's) is signed where a party's accept
 * is missing and it is still open; one a party rejected or revoked is left so, and an autorisatie
 * revoked before issue 28 (no contract was made of it) stays revoked. Through the same
 * repository functions as the API: the seed's signatures pass the checks a party's do.
 */
export async function signDemoContracts(
  db: Kysely<RegistryDatabase>,
  options: { keyDir: string; trust: ContractTrust; autorisaties: readonly DemoAutorisatie[]; now: Date },
): Promise<void> {
  const { keyDir, trust, now } = options;
  const held = await listSignedContracts(db);
  for (const autorisatie of options.autorisaties) {
    const existing = held.findLast(({ contract }) => {
      const { data } = contract.content.grants[0];
      return (
        data.outway.peer_id === autorisatie.afnemerOin &&
        data.service.name === autorisatie.serviceId &&
        data.properties.processing_activity_id === autorisatie.processingActivityId
      );
    });
    let hash = existing?.contract.hash;
    if (hash === undefined) {
      // One the registry held before issue 28 is what the migration made of it: none when it was revoked.
      if (await db.selectFrom('autorisaties').select('id').where('id', '=', autorisatie.id).executeTakeFirst())
        continue;
      const content = await demoContent(db, autorisatie, trust, now);
      const afnemerKey = demoKey(keyDir, autorisatie.afnemerOin);
      if (!content || !afnemerKey) continue;
      hash = contentHash(content);
      const signature = await signContract(hash, 'accept', afnemerKey, { signedAt: now });
      await proposeContract(db, trust, { content, signature }, now);
    }
    const contract = await getContract(db, trust, hash, now);
    if (contract.state === 'rejected' || contract.state === 'revoked' || contract.state === 'inForce') continue;
    const accepted = new Set(contract.signatureDetails.filter((s) => s.type === 'accept').map((s) => s.oin));
    for (const oin of contractParties(contract.content).required) {
      const key = demoKey(keyDir, oin);
      if (accepted.has(oin) || !key) continue;
      await addContractSignature(db, trust, hash, await signContract(hash, 'accept', key, { signedAt: now }), now);
    }
  }
}
