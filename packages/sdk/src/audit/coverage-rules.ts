import {
  type Autorisatie,
  inForce,
  inForceDuring,
  isAtOrBelow,
  type ProcessingActivity,
  versionKnownAt,
} from '@poortwachter/protocol';
import type { CoverageReport } from './coverage-types.ts';
import type { StateTimeline } from './registry-history.ts';

/**
 * The rules of the coverage report: when an access was covered (an autorisatie, the version of the
 * verwerkingsactiviteit and one of its grondslagen in force at that moment, as the registry knew it
 * then), which catalogue paths an autorisatie covers, and which autorisaties are near their end or
 * went unused. `coverage-report.ts` assembles the report with them; the data comes from the gateway's
 * database (`databaseCoverageData`) or from entries an auditor proved (`coverageFromEntries`).
 */

const DAY = 86_400_000;

/** The catalogue paths the given autorisatie paths cover (a group covers every path below it). */
export const authorisedPaths = (catalogue: readonly string[], fields: readonly string[]): string[] =>
  catalogue.filter((path) => fields.some((a) => isAtOrBelow(path, a)));

/** Autorisaties in force now that end within 30 days. */
export function expiringAutorisaties(
  current: readonly Autorisatie[],
  now: number,
): CoverageReport['expiringAutorisaties'] {
  return current
    .filter((a) => a.revokedAt === null && a.validTo !== null)
    .map((a) => ({ a, left: Date.parse(a.validTo as string) - now }))
    .filter(({ left }) => left > 0 && left <= 30 * DAY)
    .map(({ a, left }) => ({
      id: a.id,
      afnemerOin: a.afnemerOin,
      processingActivityId: a.processingActivityId,
      validTo: a.validTo as string,
      daysLeft: Math.ceil(left / DAY),
    }));
}

/** Autorisaties in force at some moment of [from, to) under which nothing was accessed. */
export function dormantAutorisaties(
  current: readonly Autorisatie[],
  accessed: (afnemerOin: string, activityId: string) => boolean,
  from: number,
  to: number,
): CoverageReport['dormantAutorisaties'] {
  return current
    .filter((a) => inForceDuring(a, from, to) && !accessed(a.afnemerOin, a.processingActivityId))
    .map((a) => ({ id: a.id, afnemerOin: a.afnemerOin, processingActivityId: a.processingActivityId }));
}

/**
 * Decides, for one (afnemer, activity, version), at which moments an access was covered. Validity can
 * only change at a moment when something in the registry changed or began or ended; between two such
 * moments it is constant, so checking each stretch at its start decides the whole stretch.
 * `ownProcessing`: the bronhouder's own processing under one of the activities its service names for the
 * betrokkene (their inzage, handling their terugmeldingen): no autorisatie is involved, the activity
 * version (the bronhouder's own) and its grondslagen still must have been in force.
 */
export function validityChecker(
  activity: ProcessingActivity | undefined,
  autorisaties: StateTimeline,
  grondslagen: StateTimeline,
  autorisatieIds: readonly string[],
  group: { oin: string; activityId: string; version: number; ownProcessing?: boolean },
) {
  const ofVersion = activity?.versions.find((v) => v.version === group.version);
  const grondslagIds = ofVersion?.grondslagIds ?? [];
  const moments = new Set<number>([
    ...autorisatieIds.flatMap((id) => autorisaties.moments(id)),
    ...grondslagIds.flatMap((id) => grondslagen.moments(id)),
    ...(activity?.versions ?? []).flatMap((v) =>
      [v.validFrom, v.recordedAt, v.revokedAt].flatMap((m) => (m ? [Date.parse(m)] : [])),
    ),
  ]);

  const reasonsAt = (t: number): string[] => {
    const reasons: string[] = [];
    if (!group.ownProcessing && !autorisatieIds.some((id) => inForce(autorisaties.knownAt(id, t), t))) {
      reasons.push(`no autorisatie of ${group.oin} for this processing activity was in force`);
    }
    const versionInForce = versionKnownAt(activity, t);
    if (!activity) reasons.push(`processing activity ${group.activityId} is not in the registry`);
    else if (versionInForce?.version !== group.version) {
      reasons.push(
        `processing activity version ${group.version} was not the one in force (${versionInForce ? `version ${versionInForce.version} was` : 'none was'})`,
      );
    } else if (versionInForce.responsibleOin !== group.oin) {
      reasons.push(`the processing activity belongs to ${versionInForce.responsibleOin}, not to ${group.oin}`);
    }
    if (ofVersion && !grondslagIds.some((id) => inForce(grondslagen.knownAt(id, t), t))) {
      reasons.push(`none of its grondslagen (${grondslagIds.join(', ')}) was in force`);
    }
    return reasons;
  };

  return {
    *invalidStretches(first: number, end: number) {
      const cuts = [first, ...[...moments].filter((m) => m > first && m < end).sort((a, b) => a - b), end];
      let open: { from: number; to: number; reasons: string[] } | undefined;
      for (let i = 0; i + 1 < cuts.length; i++) {
        const from = cuts[i] as number;
        const to = cuts[i + 1] as number;
        const reasons = reasonsAt(from);
        if (reasons.length === 0) {
          if (open) yield open;
          open = undefined;
        } else if (open && open.reasons.join() === reasons.join()) open.to = to;
        else {
          if (open) yield open;
          open = { from, to, reasons };
        }
      }
      if (open) yield open;
    },
  };
}
