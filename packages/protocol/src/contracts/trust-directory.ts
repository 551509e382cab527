import type { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import type { DirectorySnapshot } from '../directory/types.ts';
import type { Autorisatie, Organisation } from '../domain/model.ts';
import { type AnchoredKey, type AnchoredKeys, anchoredKeys, keyWindow } from './anchors.ts';
import type { SignedContract } from './contract.ts';
import { type ContractStatus, contractStatus } from './status.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A directory after the trust step, with what the step decided (for reports and the auditor). */
export interface TrustedDirectory {
  /** The snapshot with anchored keys only, and the autorisaties of accepted contracts only. */
  readonly snapshot: DirectorySnapshot;
  readonly keys: AnchoredKeys;
  /** Every contract the registry listed, as checked. */
  readonly contracts: readonly ContractStatus[];
}

/**
 * The one trust step after `verifyDirectory`, for every reader that decides on access (inway, outway,
 * sdk, CLI): the registry's signature says the snapshot came from the registry, not that its contents
 * are true. So organisations keep only their anchored keys (each key's validity cut to the window its
 * anchor gives), and `autorisaties` are rebuilt from the contracts every party accepted with an anchored
 * key, for a service whose bronhouder is the contract's. Whatever the registry put in `autorisaties`
 * is dropped. A contract later revoked or rejected becomes an autorisatie revoked at that signature
 * (so the auditor still sees that earlier accesses had a basis).
 *
 * @example
 * const { snapshot } = await verifyDirectory(jws, pinned);
 * const trusted = await trustDirectory(snapshot, anchors);
 * trusted.snapshot.autorisaties; // only what both sides signed
 */
export async function trustDirectory(
  snapshot: DirectorySnapshot,
  anchors: readonly X509Certificate[],
  options: { now?: Date } = {},
): Promise<TrustedDirectory> {
  const keys = await anchoredKeys(snapshot.organisations ?? [], anchors);
  const organisations: Organisation[] = (snapshot.organisations ?? []).map((organisation) => ({
    ...organisation,
    keys: organisation.keys.flatMap((key) => {
      const anchored = keys.byKid.get(key.kid);
      if (!anchored || anchored.oin !== organisation.oin) return [];
      return [
        {
          ...key,
          validFrom: iso(anchored.from),
          validTo: Number.isFinite(anchored.to) ? iso(anchored.to) : null,
        },
      ];
    }),
  }));
  const providers = new Map((snapshot.services ?? []).map((s) => [s.id, s.providerOin]));
  const contracts: ContractStatus[] = [];
  const autorisaties: Autorisatie[] = [];
  for (const contract of Array.isArray(snapshot.contracts) ? snapshot.contracts : []) {
    const status = await contractStatus(contract, keys, options);
    contracts.push(status);
    const autorisatie = autorisatieOf(contract, status, providers);
    if (autorisatie) autorisaties.push(autorisatie);
  }
  return { snapshot: { ...snapshot, organisations, autorisaties }, keys, contracts };
}

/**
 * The autorisatie a checked contract grants: none unless every party's acceptance counted and its
 * bronhouder provides the service; valid from the later of its start and the last acceptance, until its
 * end, revoked at the first counted reject or revoke; bound to the activity version and grondslag signed
 * (`bindsVersion` decides whether that version is still the one in force). The one rule for the gateway
 * and the auditor.
 */
export function autorisatieOf(
  contract: SignedContract,
  status: ContractStatus,
  providers: ReadonlyMap<string, string>,
): Autorisatie | undefined {
  if (!status.parties || status.missing.length > 0 || status.acceptedBy.length === 0) return undefined;
  const { data } = contract.content.grants[0];
  if (providers.get(data.service.name) !== data.service.peer_id) return undefined;
  const lastAccept = Math.max(...status.acceptedBy.map((a) => a.signedAt));
  const from = Math.max(contract.content.validity.not_before, lastAccept);
  return {
    id: status.hash,
    afnemerOin: data.outway.peer_id,
    serviceId: data.service.name,
    processingActivityId: data.properties.processing_activity_id,
    processingActivityVersion: data.properties.processing_activity_version,
    grondslagId: data.properties.grondslag_id,
    fields: data.properties.fields,
    searchTypes: data.properties.search_types,
    validFrom: iso(from * 1000),
    validTo: iso(contract.content.validity.not_after * 1000),
    revokedAt: status.endedAt !== undefined ? iso(Math.max(status.endedAt, from) * 1000) : null,
    ...(data.properties.quota ? { quota: data.properties.quota } : {}),
    ...(data.delegator ? { delegatorOin: data.delegator.peer_id } : {}),
    acceptedBy: status.acceptedBy.map((a) => ({ oin: a.oin, signedAt: iso(a.signedAt * 1000) })),
  };
}

/**
 * The anchored keys of a directory that `trustDirectory` made already (its organisations hold only
 * anchored keys, each with the window its anchor gives), for checking signatures again later, such as
 * those of contracts in the registry's history.
 */
export function keysOfTrustedDirectory(organisations: readonly Organisation[]): AnchoredKeys {
  const byKid = new Map<string, AnchoredKey>();
  for (const organisation of organisations) {
    for (const key of organisation.keys) {
      byKid.set(key.kid, {
        oin: organisation.oin,
        kid: key.kid,
        jwk: key.jwk as JWK,
        ...keyWindow(organisation, key),
        how: key.x5c ? 'certificate' : 'endorsement',
      });
    }
  }
  return { byKid, refused: [] };
}
