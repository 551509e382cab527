import { type ProcessingActivity, type ProcessingActivityVersion, reasonOr, versionAt } from '@poortwachter/protocol';
import type { DirectoryIndex } from '../directory/directory-index.ts';

/** Why a verwerkingsactiviteit cannot be bound to an application of this outway. */
export interface BindingProblem {
  readonly name: string;
  readonly code: 'unknown' | 'foreign' | 'revoked';
  readonly reason: string;
}

/**
 * The version that decides whether an application may be bound to the activity: the one in force now,
 * or, for an activity that does not start until later, the first to come.
 */
function decidingVersion(activity: ProcessingActivity, at: string): ProcessingActivityVersion | undefined {
  return versionAt(activity, at) ?? activity.versions[0];
}

/**
 * What stands in the way of binding each of `activities` (named `processingActivities[i]`, which the
 * outway's problem writer sends as `processingActivities.i`) to an application of the afnemer
 * `organisationOin`, checked against the verified directory at `at` (reasons fit the BRP API's 80
 * characters):
 * - `unknown`: the directory has no verwerkingsactiviteit with this URI (a typo, or not registered yet);
 * - `foreign`: another organisation is responsible for it (the version in force now says so, or for
 *   one that starts later, its first version): the afnemer cannot process under it, unless that
 *   organisation delegated it by a contract it signed too (the afnemer is its delegate);
 * - `revoked`: it has ended (its version in force now is revoked).
 * One that starts later and is the afnemer's own may be bound: the application is ready when it starts,
 * and the provider refuses its use until then. Whether an autorisatie covers it is the provider's
 * decision at every request, not the outway's at registration.
 *
 * @example
 * bindingProblems(directory.current(), DEMO_OIN.utrecht, [DEMO_PROCESSING_ACTIVITY.haarlemBijstand], now);
 * // [{ name: 'processingActivities[0]', code: 'foreign', reason: 'Van een andere organisatie, Gemeente Haarlem.' }]
 */
export function bindingProblems(
  directory: DirectoryIndex,
  organisationOin: string,
  activities: readonly string[],
  at: string,
): BindingProblem[] {
  const problems: BindingProblem[] = [];
  activities.forEach((id, i) => {
    const name = `processingActivities[${i}]`;
    const activity = directory.processingActivities.get(id);
    const version = activity && decidingVersion(activity, at);
    if (!version) {
      problems.push({ name, code: 'unknown', reason: 'Deze verwerkingsactiviteit staat niet in de adresgids.' });
    } else if (
      version.responsibleOin !== organisationOin &&
      !directory.delegates(organisationOin, id, version.responsibleOin)
    ) {
      // Named when the name fits the BRP API's reason (Gemeente Haarlem), else by its OIN ('s-Hertogenbosch).
      const owner = directory.organisations.get(version.responsibleOin)?.name ?? version.responsibleOin;
      problems.push({
        name,
        code: 'foreign',
        reason: reasonOr(
          `Van een andere organisatie, ${owner}.`,
          `Van een andere organisatie, OIN ${version.responsibleOin}.`,
        ),
      });
    } else if (version.revokedAt !== null && Date.parse(version.revokedAt) <= Date.parse(at)) {
      problems.push({ name, code: 'revoked', reason: 'Deze verwerkingsactiviteit is ingetrokken.' });
    }
  });
  return problems;
}
