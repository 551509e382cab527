import type { X509Certificate } from 'node:crypto';
import {
  type Autorisatie,
  type ContractNoLongerBinding,
  type DirectorySnapshot,
  grantsAt,
  type ProcessingActivity,
  versionAt,
} from '@poortwachter/protocol';
import { trustDirectory } from '@poortwachter/protocol/contracts';
import type { Kysely } from 'kysely';
import type { RegistryDatabase } from '../storage/database.ts';
import { readSnapshot } from './publisher.ts';

/**
 * The directory the registry would sign now, after the trust step every gateway takes (`trustDirectory`
 * with the registry's anchors): its `autorisaties` are what the contracts every party accepted say.
 *
 * @example
 * (await trustedSnapshot(db, trust.anchors)).autorisaties; // as the inway derives them
 */
export async function trustedSnapshot(
  db: Kysely<RegistryDatabase>,
  anchors: readonly X509Certificate[],
): Promise<DirectorySnapshot> {
  const snapshot = await db.transaction().execute((trx) => readSnapshot(trx));
  return (await trustDirectory(snapshot, anchors)).snapshot;
}

/**
 * The contracts a new version of a verwerkingsactiviteit stops: those that grant at the moment the new
 * version takes effect (its `validFrom`, or now when that lies before; a contract that begins later, at
 * its own start) under the version in force without it, and no longer under the one in force with it.
 * The gateway's rule (`grantsAt`: in force, the activity's own organisation or its delegator, and
 * `bindsVersion`), asked twice; a contract revoked, ended or of another activity never counts.
 *
 * @example
 * contractsNoLongerBinding(directory, activityBefore, activityAfter, new Date());
 * // [{ hash, serviceId: 'brp-personen', processingActivityVersion: 1, bronhouder: { oin, name: 'RvIG' }, … }]
 */
export function contractsNoLongerBinding(
  directory: Pick<DirectorySnapshot, 'autorisaties' | 'organisations' | 'services'>,
  before: ProcessingActivity,
  after: ProcessingActivity,
  now: Date,
): ContractNoLongerBinding[] {
  const validFrom = after.versions.at(-1)?.validFrom ?? now.toISOString();
  const from = Math.max(now.getTime(), Date.parse(validFrom));
  /** A contract that begins later is asked at its own start: from then on it would grant, or not. */
  const stops = (a: Autorisatie) => {
    const at = new Date(Math.max(from, Date.parse(a.validFrom))).toISOString();
    const was = versionAt(before, at);
    const is = versionAt(after, at);
    return was !== undefined && grantsAt(a, was, at) && !(is && grantsAt(a, is, at));
  };
  const names = new Map(directory.organisations.map((o) => [o.oin, o.name]));
  const party = (oin: string) => ({ oin, name: names.get(oin) ?? oin });
  const providers = new Map(directory.services.map((s) => [s.id, s.providerOin]));
  return directory.autorisaties
    .filter((a) => a.processingActivityId === after.id && stops(a))
    .map((a) => ({
      hash: a.id,
      serviceId: a.serviceId,
      processingActivityVersion: a.processingActivityVersion,
      grondslagId: a.grondslagId,
      bronhouder: party(providers.get(a.serviceId) ?? ''),
      ...(a.delegatorOin ? { delegate: party(a.afnemerOin) } : {}),
    }));
}
