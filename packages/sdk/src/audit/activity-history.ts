import type { Grondslag, ProcessingActivity, ProcessingActivityVersion } from '@poortwachter/protocol';
import { canonical, differingMembers } from './organisation-history.ts';
import { type RegistryChange, StateTimeline } from './registry-history.ts';

/** The members of a version that its change states (`{ version, ...input, validFrom }`). */
const MEMBERS = [
  'name',
  'doel',
  'grondslagIds',
  'responsibleOin',
  'bewaartermijn',
  'vertrouwelijkheid',
  'validFrom',
] as const satisfies readonly (keyof ProcessingActivityVersion)[];

interface LoggedVersion {
  readonly serial: number;
  readonly record: Record<string, unknown>;
  /** A `revoke` writes a last version, revoked from the moment of its change. */
  readonly revokedAt: string | null;
}

/**
 * The versions of each verwerkingsactiviteit as the change log recorded them (`create`, `new-version`,
 * `revoke`: each a whole version, never an update in place), fed change by change.
 *
 * @example
 * const replay = new ActivityReplay();
 * for (const change of changes) replay.apply(change);
 * findings.push(...replay.differences(directory.processing_activities));
 */
export class ActivityReplay {
  readonly #versions = new Map<string, Map<number, LoggedVersion>>();

  apply(change: RegistryChange): void {
    if (change.entity !== 'processing-activity') return;
    const version = change.record.version;
    if (typeof version !== 'number') return;
    const versions = this.#versions.get(change.entityId) ?? new Map<number, LoggedVersion>();
    versions.set(version, {
      serial: change.serial,
      record: change.record,
      revokedAt: change.action === 'revoke' ? change.changedAt : null,
    });
    this.#versions.set(change.entityId, versions);
  }

  /** Each version in the directory that is not the one the log recorded, or that no change recorded, and each logged one that is gone. */
  differences(activities: readonly ProcessingActivity[]): string[] {
    const findings: string[] = [];
    const listed = new Set<string>();
    for (const activity of activities) {
      const logged = this.#versions.get(activity.id);
      for (const version of activity.versions) {
        const name = `version ${version.version} of verwerkingsactiviteit ${activity.id}`;
        listed.add(`${activity.id} ${version.version}`);
        const recorded = logged?.get(version.version);
        if (!recorded) {
          findings.push(
            `${name} is in the directory, but no change of the change log recorded it: it was written past the registry's API.`,
          );
          continue;
        }
        const differ: string[] = MEMBERS.filter((m) => canonical(version[m]) !== canonical(recorded.record[m]));
        if (canonical(version.revokedAt) !== canonical(recorded.revokedAt)) differ.push('revokedAt');
        if (differ.length > 0)
          findings.push(
            `${name} has another ${differ.join(' and ')} in the directory than change ${recorded.serial} recorded: it was changed past the registry's API.`,
          );
      }
    }
    for (const [id, versions] of this.#versions)
      for (const [version, recorded] of versions)
        if (!listed.has(`${id} ${version}`))
          findings.push(
            `version ${version} of verwerkingsactiviteit ${id} (recorded in change ${recorded.serial}) is not in the directory: it was deleted past the registry's API.`,
          );
    return findings;
  }
}

/**
 * Each grondslag in the directory that is not as the log last wrote it (`create` and `update` write the
 * whole grondslag, `revoke` its `revokedAt`: StateTimeline), or that no change recorded, and each logged
 * one that is gone.
 */
export function grondslagenDiffer(grondslagen: readonly Grondslag[], changes: readonly RegistryChange[]): string[] {
  const timeline = new StateTimeline(changes, 'grondslag');
  const findings: string[] = [];
  for (const grondslag of grondslagen) {
    const logged = timeline.knownAt(grondslag.id, Number.POSITIVE_INFINITY);
    if (!logged) {
      findings.push(
        `grondslag ${grondslag.id} is in the directory, but no change of the change log recorded it: it was written past the registry's API.`,
      );
      continue;
    }
    const differ = differingMembers(grondslag, logged, Object.keys(grondslag));
    if (differ.length > 0)
      findings.push(
        `grondslag ${grondslag.id} has another ${differ.join(' and ')} in the directory than the change log recorded: it was changed past the registry's API.`,
      );
  }
  for (const id of timeline.ids())
    if (!grondslagen.some((g) => g.id === id))
      findings.push(
        `grondslag ${id} is in the change log but not in the directory: it was deleted past the registry's API.`,
      );
  return findings;
}
