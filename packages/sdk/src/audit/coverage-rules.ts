import {
  type Autorisatie,
  bindsVersion,
  inForce,
  inForceDuring,
  isAtOrBelow,
  type ProcessingActivity,
  versionKnownAt,
} from '@poortwachter/protocol';
import type { CoverageReport } from './coverage-types.ts';
import type { StateTimeline } from './registry-history.ts';

/**
 * The rules of the coverage report: when an access was covered (an autorisatie signed for the version of
 * the verwerkingsactiviteit in force at that moment and its grondslag, both in force then, as the
 * registry knew it; for a delegate's call one whose delegator is the activity's responsible, as the
 * gateway decides in `grantBase`), which catalogue paths an autorisatie covers, and which autorisaties are near their end or
 * went unused. `coverage-report.ts` assembles the report with them; the data comes from the gateway's
 * database (`databaseCoverageData`) or from entries an auditor proved (`coverageFromEntries`).
 */

const DAY = 86_400_000;

/**
 * The organisation responsible for the calls an autorisatie allows: the delegator of a delegated
 * contract, else the afnemer. The access records name it (`dpl.core.foreign_operation.processor`), so
 * the report files an autorisatie under it.
 */
export const responsibleOf = (a: { readonly afnemerOin: unknown; readonly delegatorOin?: unknown }): string =>
  String(a.delegatorOin ?? a.afnemerOin);

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

/**
 * Autorisaties in force at some moment of [from, to) under which nothing was accessed (`accessed` is
 * asked for the organisation responsible: a delegate's calls are recorded under its delegator).
 */
export function dormantAutorisaties(
  current: readonly Autorisatie[],
  accessed: (responsibleOin: string, activityId: string) => boolean,
  from: number,
  to: number,
): CoverageReport['dormantAutorisaties'] {
  return current
    .filter((a) => inForceDuring(a, from, to) && !accessed(responsibleOf(a), a.processingActivityId))
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

  /**
   * The autorisaties that covered an access at t, as the gateway decides (`grantBase`): in force, signed
   * for this version and a grondslag of it that was in force. They are those of the organisation the
   * records name as responsible (`responsibleOf`: a delegate's contract counts for its delegator, and
   * `reasonsAt` requires that to be the activity's responsible). An autorisatie from before contracts
   * names no version or grondslag (the registry's word then): it covers every version.
   */
  const covering = (t: number) => {
    const states = autorisatieIds.flatMap((id) => {
      const state = autorisaties.knownAt(id, t);
      return state && inForce(state, t) ? [state] : [];
    });
    const bound = states.filter(
      (s) =>
        typeof s.processingActivityVersion !== 'number' ||
        (bindsVersion(s as unknown as Autorisatie, ofVersion) &&
          inForce(grondslagen.knownAt(String(s.grondslagId), t), t)),
    );
    return { states, bound };
  };

  const reasonsAt = (t: number): string[] => {
    const reasons: string[] = [];
    const versionInForce = versionKnownAt(activity, t);
    const responsible = versionInForce?.responsibleOin;
    const { states, bound } = covering(t);
    const thisVersion = versionInForce?.version === group.version;
    if (!group.ownProcessing && states.length === 0) {
      reasons.push(`no autorisatie of ${group.oin} for this processing activity was in force`);
    } else if (!group.ownProcessing && thisVersion && bound.length === 0) {
      const signed = [...new Set(states.map((s) => `version ${s.processingActivityVersion} (${s.grondslagId})`))];
      reasons.push(
        `the autorisatie in force was signed for processing activity ${signed.join(', ')}, not for version ${group.version} and one of its grondslagen in force`,
      );
    }
    if (!activity) reasons.push(`processing activity ${group.activityId} is not in the registry`);
    else if (!thisVersion) {
      reasons.push(
        `processing activity version ${group.version} was not the one in force (${versionInForce ? `version ${versionInForce.version} was` : 'none was'})`,
      );
    } else if (responsible !== group.oin) {
      reasons.push(`the processing activity belongs to ${responsible}, not to ${group.oin}`);
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
