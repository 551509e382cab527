import type { Autorisatie, ProcessingActivity, ProcessingActivityVersion } from './model.ts';
import { inForce } from './validity.ts';

/**
 * The version of a verwerkingsactiviteit in force at `at`: the latest whose `validFrom` is not after
 * it. Undefined before the first version. A revoked version is returned as such: the caller decides
 * what revocation means (usually: not in force).
 *
 * @example
 * versionAt(activity, '2026-01-01T00:00:00.000Z')?.vertrouwelijkheid; // 'vertrouwelijk'
 */
export function versionAt(activity: ProcessingActivity, at: string): ProcessingActivityVersion | undefined {
  return activity.versions.filter((v) => v.validFrom <= at).at(-1);
}

/**
 * The version the registry had in force at t, as it knew it then: among the versions recorded at or
 * before t, the one with the latest `validFrom` at or before t; none if that one was revoked by then.
 */
export function versionKnownAt(
  activity: ProcessingActivity | undefined,
  t: number,
): ProcessingActivityVersion | undefined {
  const version = activity?.versions
    .filter((v) => Date.parse(v.recordedAt) <= t && Date.parse(v.validFrom) <= t)
    .sort((a, b) => Date.parse(a.validFrom) - Date.parse(b.validFrom))
    .at(-1);
  return version && inForce({ validFrom: version.validFrom, revokedAt: version.revokedAt }, t) ? version : undefined;
}

/**
 * Whether an autorisatie holds for the version of its verwerkingsactiviteit that is in force: the
 * version its parties signed is that version, and the grondslag they signed is one of its grondslagen.
 * A version the afnemer registered on its own after the contract (another purpose, another grondslag)
 * is not what the bronhouder agreed to. The one rule for the gateway (`grantBase`), the outway and the
 * auditor (coverage report).
 *
 * @example
 * bindsVersion(autorisatie, versionAt(activity, now)); // false once version 2 is in force
 */
export function bindsVersion(
  autorisatie: Pick<Autorisatie, 'processingActivityVersion' | 'grondslagId'>,
  version: Pick<ProcessingActivityVersion, 'version' | 'grondslagIds'> | undefined,
): boolean {
  return (
    version !== undefined &&
    autorisatie.processingActivityVersion === version.version &&
    version.grondslagIds.includes(autorisatie.grondslagId)
  );
}

/**
 * Whether an autorisatie grants access at `at` under `version`, the version of its activity in force
 * then: it is in force (not revoked, valid), it is its afnemer's own activity or one its delegator
 * signed for, and it was signed for that version and one of its grondslagen (`bindsVersion`). The one
 * rule for the gateway's grant (`authorise`) and the quota it brings, and for the registry's answer to
 * a new version (the contracts it stops).
 *
 * @example
 * grantsAt(autorisatie, versionAt(activity, now), now); // false once version 2 is in force
 */
export function grantsAt(autorisatie: Autorisatie, version: ProcessingActivityVersion, at: string): boolean {
  return (
    !version.revokedAt &&
    (autorisatie.delegatorOin ?? autorisatie.afnemerOin) === version.responsibleOin &&
    inForce(autorisatie, at) &&
    bindsVersion(autorisatie, version)
  );
}
