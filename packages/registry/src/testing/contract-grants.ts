import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessingActivity, Quota, Service } from '@poortwachter/protocol';
import {
  type ContractSignatureType,
  contentHash,
  newContractContent,
  signContract,
} from '@poortwachter/protocol/contracts';
import type { JWK } from 'jose';
import { DEMO_GROUP_ID } from '../domain/contract-terms.ts';
import type { ContractView } from '../repositories/contracts.ts';

/** A registry to talk to: its base URL, or an in-process app's `request` (`registry.app.request`). */
export type RegistryTarget = string | ((path: string, init?: RequestInit) => Response | Promise<Response>);

/** What an afnemer asks for: the autorisatie's terms, as they read before contracts. */
export interface GrantTerms {
  readonly afnemerOin: string;
  readonly serviceId: string;
  readonly processingActivityId: string;
  readonly fields: readonly string[];
  readonly searchTypes: readonly string[];
  readonly validFrom?: string;
  /** Default: a year after validFrom. */
  readonly validTo?: string;
  readonly quota?: Quota;
  /** A delegated grant: the gemeente the afnemer (its delegate) calls for; it signs too. */
  readonly delegatorOin?: string;
  readonly groupId?: string;
}

const send = (registry: RegistryTarget, path: string, init?: RequestInit) =>
  Promise.resolve(
    typeof registry === 'string' ? fetch(`${registry.replace(/\/+$/, '')}${path}`, init) : registry(path, init),
  );

async function json<T>(registry: RegistryTarget, path: string, init?: RequestInit): Promise<T> {
  const res = await send(registry, path, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const demoKey = (keyDir: string, oin: string) =>
  JSON.parse(readFileSync(join(keyDir, `${oin}.jwk.json`), 'utf8')) as JWK;

/**
 * Signs a contract as a demo organisation (with its key under `keyDir`) and sends the signature: the
 * registry's answer, as it is.
 *
 * @example
 * await signContractAs(registry.app.request, registry.keyDir, DEMO_OIN.rvig, hash, 'revoke', 'Beëindigd.');
 */
export async function signContractAs(
  registry: RegistryTarget,
  keyDir: string,
  oin: string,
  hash: string,
  type: ContractSignatureType,
  reason?: string,
): Promise<Response> {
  const signature = await signContract(hash, type, demoKey(keyDir, oin), reason ? { reason } : {});
  return send(registry, `/v1/contracts/${encodeURIComponent(hash)}/signatures`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ signature }),
  });
}

/**
 * Grants access the only way there is: the afnemer proposes a contract with these terms (under its
 * activity's current version and first grondslag, for the service's bronhouder) and every other party
 * accepts it, each signing with its demo key from `keyDir`. Returns the contract as the registry
 * serves it (in force once its validity started). Throws on any refusal.
 *
 * @example
 * const contract = await grantByContract(registry.app.request, registry.keyDir, {
 *   afnemerOin: DEMO_OIN.haarlem, serviceId: 'brp-personen', processingActivityId, fields, searchTypes,
 * });
 */
export async function grantByContract(
  registry: RegistryTarget,
  keyDir: string,
  terms: GrantTerms,
): Promise<ContractView> {
  const service = await json<Service>(registry, `/v1/services/${encodeURIComponent(terms.serviceId)}`);
  const activity = await json<ProcessingActivity>(
    registry,
    `/v1/processing-activities/${encodeURIComponent(terms.processingActivityId)}`,
  );
  const version = activity.versions.at(-1);
  if (!version?.grondslagIds[0]) throw new Error(`activity ${terms.processingActivityId} has no version`);
  const validFrom = new Date(terms.validFrom ?? Date.now() - 60_000);
  const content = newContractContent({
    afnemerOin: terms.afnemerOin,
    serviceId: terms.serviceId,
    bronhouderOin: service.providerOin,
    processingActivityId: terms.processingActivityId,
    processingActivityVersion: version.version,
    grondslagId: version.grondslagIds[0],
    fields: terms.fields,
    searchTypes: terms.searchTypes,
    ...(terms.quota ? { quota: terms.quota } : {}),
    ...(terms.delegatorOin ? { delegatorOin: terms.delegatorOin } : {}),
    validFrom,
    validTo: new Date(terms.validTo ?? validFrom.getTime() + 365 * 86_400_000),
    groupId: terms.groupId ?? DEMO_GROUP_ID,
  });
  const hash = contentHash(content);
  const signature = await signContract(hash, 'accept', demoKey(keyDir, terms.afnemerOin));
  await json(registry, '/v1/contracts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content, signature }),
  });
  let contract: ContractView | undefined;
  for (const oin of [service.providerOin, ...(terms.delegatorOin ? [terms.delegatorOin] : [])]) {
    const res = await signContractAs(registry, keyDir, oin, hash, 'accept');
    if (!res.ok) throw new Error(`accept by ${oin}: ${res.status} ${await res.text()}`);
    contract = (await res.json()) as ContractView;
  }
  return contract ?? json<ContractView>(registry, `/v1/contracts/${encodeURIComponent(hash)}`);
}

/**
 * The hash of the contract the registry holds for an afnemer's access to a service under an activity
 * (the demo seed's, for the demo autorisaties): the newest such.
 */
export async function findContractHash(
  registry: RegistryTarget,
  terms: Pick<GrantTerms, 'afnemerOin' | 'serviceId' | 'processingActivityId'>,
): Promise<string> {
  const { contracts } = await json<{ contracts: ContractView[] }>(registry, `/v1/contracts?oin=${terms.afnemerOin}`);
  const found = contracts.findLast(({ content }) => {
    const { data } = content.grants[0];
    return (
      data.outway.peer_id === terms.afnemerOin &&
      data.service.name === terms.serviceId &&
      data.properties.processing_activity_id === terms.processingActivityId
    );
  });
  if (!found)
    throw new Error(`no contract of ${terms.afnemerOin} for ${terms.serviceId} under ${terms.processingActivityId}`);
  return found.hash;
}
