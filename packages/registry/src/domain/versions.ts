import type { ProcessingActivity, ProcessingActivityVersion } from './model.ts';

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
