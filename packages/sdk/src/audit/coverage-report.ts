import {
  type DirectorySnapshot,
  inForce,
  inForceDuring,
  isAtOrBelow,
  overlapping,
  type ProcessingActivity,
  type TreeHead,
  versionKnownAt,
} from '@poortwachter/protocol';
import { type RegistryChange, StateTimeline } from './registry-history.ts';

/** A signed tree head as a report names it: the log it was computed on, up to that size. */
export type ReportHead = TreeHead & { readonly jws: string };

/** The coverage report of one service over a period, as a gateway computes it and an auditor recomputes it. */
export interface CoverageReport {
  readonly period: { readonly from: string; readonly to: string };
  readonly generatedAt: string;
  readonly serviceId: string;
  readonly directorySerial: number;
  readonly history: { readonly source: string; readonly changes: number };
  /** The signed tree heads it was computed on: exactly the records and refusals of these logs up to these sizes. */
  readonly heads: readonly ReportHead[];
  readonly totals: {
    readonly accesses: number;
    readonly dataSubjects: number;
    readonly refusals: number;
    readonly invalidAccesses: number;
    readonly unusedFieldFindings: number;
    readonly expiringAutorisaties: number;
    readonly dormantAutorisaties: number;
  };
  readonly rows: readonly {
    readonly afnemer: { readonly oin: string; readonly name: string };
    readonly processingActivity: { readonly id: string; readonly name: string };
    readonly autorisatieIds: readonly string[];
    readonly accesses: number;
    readonly dataSubjects: number;
    readonly fieldsAuthorised: readonly string[];
    readonly fieldsUsed: readonly string[];
    readonly fieldsUnused: readonly string[];
    readonly refusals: Readonly<Record<string, number>>;
  }[];
  /** Refusals before a caller was identified (bad or missing signature or citizen token), by reason. */
  readonly refusalsWithoutCaller: Readonly<Record<string, number>>;
  readonly invalidAccesses: readonly {
    readonly id: string;
    readonly at: string;
    readonly afnemerOin: string;
    readonly processingActivityId: string;
    readonly processingActivityVersion: number;
    readonly reasons: readonly string[];
  }[];
  readonly expiringAutorisaties: readonly {
    readonly id: string;
    readonly afnemerOin: string;
    readonly processingActivityId: string;
    readonly validTo: string;
    readonly daysLeft: number;
  }[];
  readonly dormantAutorisaties: readonly {
    readonly id: string;
    readonly afnemerOin: string;
    readonly processingActivityId: string;
  }[];
}

export interface ReportProgress {
  readonly done: number;
  readonly total: number;
  readonly step: string;
}

/** One (afnemer, verwerkingsactiviteit) of the report. */
export interface CoveragePair {
  readonly oin: string;
  readonly activityId: string;
}

/**
 * What the report is computed from: the records and refusals of the period within the named heads.
 * The gateway answers these from the columns of its database (indexed), an auditor from the entries
 * it proved itself; the report is the same algorithm over either, so any difference is in the data.
 */
export interface CoverageData {
  /** Every (afnemer, activity) with an access record in the period. */
  recordPairs(): Promise<CoveragePair[]>;
  /** A pair's records grouped by (version, released fields): how many, first and last start time. */
  groups(
    pair: CoveragePair,
  ): Promise<{ version: number; releasedFields: string; n: number; first: number; last: number }[]>;
  /** How many distinct data subjects a pair's records name. */
  subjects(pair: CoveragePair): Promise<number>;
  /** A pair's records of one version that started in [from, to): how many, and the first `limit` by (start time, id). */
  stretch(
    pair: CoveragePair,
    version: number,
    from: number,
    to: number,
    limit: number,
  ): Promise<{ n: number; listed: { id: string; startTime: number }[] }>;
  /** The period's refusals of the service, counted by (caller, activity, reason). */
  refusals(): Promise<{ callerOin: string | null; activityId: string | null; reason: string; n: number }[]>;
  /** All records of the period: how many, and how many distinct data subjects. */
  totals(): Promise<{ accesses: number; dataSubjects: number }>;
}

const LISTED_INVALID = 1000;
const DAY = 86_400_000;
const pairKey = (oin: string, activity: string) => `${oin}\n${activity}`;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The coverage report of one service over [from, to): per afnemer × processing activity the accesses,
 * distinct subjects, fields used against fields authorised and refusals by code; every access whose
 * autorisatie, processing activity version or grondslag was not valid at that moment, recomputed from
 * the registry's history (not taken from the record); autorisaties expiring within 30 days and those
 * unused in the period. Validity can only change at a moment something in the registry changed,
 * began or ended, so only the stretches between such moments that were not covered are read record
 * by record. Between pairs it yields to the event loop, so a report does not stall other work.
 *
 * @example
 * const report = await computeCoverage(data, snapshot, changes, { serviceId, from, to, now, heads, historySource });
 */
export async function computeCoverage(
  data: CoverageData,
  snapshot: DirectorySnapshot,
  changes: readonly RegistryChange[],
  options: {
    readonly serviceId: string;
    readonly from: number;
    readonly to: number;
    readonly now: number;
    readonly heads: readonly ReportHead[];
    readonly historySource: string;
    readonly onProgress?: (progress: ReportProgress) => void;
  },
): Promise<CoverageReport> {
  const { serviceId, from, to, now } = options;
  const autorisatieStates = new StateTimeline(changes, 'autorisatie');
  const grondslagStates = new StateTimeline(changes, 'grondslag');
  const catalogue =
    snapshot.services
      .find((s) => s.id === serviceId)
      ?.fieldCatalogue.filter((f) => !f.automatic)
      .map((f) => f.path) ?? [];
  const activities = new Map(snapshot.processing_activities.map((a) => [a.id, a]));

  // Every autorisatie the history knows for this service, by (afnemer, activity), with its latest state.
  const autorisatiesByPair = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const ids = autorisatiesByPair.get(key) ?? [];
    if (!ids.includes(id)) autorisatiesByPair.set(key, [...ids, id]);
  };
  for (const id of autorisatieStates.ids()) {
    const state = autorisatieStates.knownAt(id, Number.MAX_SAFE_INTEGER);
    if (state?.serviceId === serviceId) add(pairKey(String(state.afnemerOin), String(state.processingActivityId)), id);
  }
  const current = snapshot.autorisaties.filter((a) => a.serviceId === serviceId);
  for (const a of current) add(pairKey(a.afnemerOin, a.processingActivityId), a.id);

  const pairs = new Set<string>(current.map((a) => pairKey(a.afnemerOin, a.processingActivityId)));
  for (const p of await data.recordPairs()) pairs.add(pairKey(p.oin, p.activityId));

  const refusalsByPair = new Map<string, Record<string, number>>();
  const withoutCaller: Record<string, number> = {};
  let refusalTotal = 0;
  for (const r of await data.refusals()) {
    refusalTotal += r.n;
    if (r.callerOin === null) {
      // Refused before anyone was identified: no pair to file it under.
      withoutCaller[r.reason] = (withoutCaller[r.reason] ?? 0) + r.n;
      continue;
    }
    const key = pairKey(r.callerOin, r.activityId ?? 'none');
    const counts = refusalsByPair.get(key) ?? {};
    counts[r.reason] = (counts[r.reason] ?? 0) + r.n;
    refusalsByPair.set(key, counts);
    pairs.add(key);
  }

  const sorted = [...pairs].sort();
  const rows: CoverageReport['rows'][number][] = [];
  const invalidAccesses: CoverageReport['invalidAccesses'][number][] = [];
  let invalidCount = 0;
  let done = 0;
  for (const key of sorted) {
    options.onProgress?.({ done, total: sorted.length, step: key.replace('\n', ' ') });
    await yieldToEventLoop();
    const [oin = '', activityId = ''] = key.split('\n');
    const pair = { oin, activityId };
    const groups = await data.groups(pair);
    const subjects = groups.length > 0 ? await data.subjects(pair) : 0;

    const used = new Set<string>();
    const versions = new Map<number, { first: number; last: number }>();
    let accesses = 0;
    for (const g of groups) {
      for (const f of JSON.parse(g.releasedFields) as string[]) used.add(f);
      accesses += g.n;
      const v = versions.get(g.version);
      versions.set(g.version, {
        first: Math.min(v?.first ?? Number.MAX_SAFE_INTEGER, g.first),
        last: Math.max(v?.last ?? 0, g.last),
      });
    }

    const autorisatieIds = autorisatiesByPair.get(key) ?? [];
    const authorisedFields = new Set<string>();
    for (const id of autorisatieIds) {
      const fields = (autorisatieStates.knownAt(id, Number.MAX_SAFE_INTEGER)?.fields ??
        current.find((a) => a.id === id)?.fields ??
        []) as string[];
      for (const path of catalogue) if (fields.some((a) => isAtOrBelow(path, a))) authorisedFields.add(path);
    }
    const isUsed = (path: string) => [...used].some((u) => overlapping(u, path));

    const activity = activities.get(activityId);
    for (const [version, range] of [...versions].sort(([a], [b]) => a - b)) {
      const check = validityChecker(activity, autorisatieStates, grondslagStates, autorisatieIds, {
        oin,
        activityId,
        version,
      });
      for (const stretch of check.invalidStretches(range.first, range.last + 1)) {
        const found = await data.stretch(
          pair,
          version,
          Math.max(stretch.from, from),
          Math.min(stretch.to, to),
          Math.max(0, LISTED_INVALID - invalidAccesses.length),
        );
        invalidCount += found.n;
        for (const row of found.listed) {
          invalidAccesses.push({
            id: row.id,
            at: new Date(row.startTime).toISOString(),
            afnemerOin: oin,
            processingActivityId: activityId,
            processingActivityVersion: version,
            reasons: stretch.reasons,
          });
        }
      }
    }

    rows.push({
      afnemer: { oin, name: snapshot.organisations.find((o) => o.oin === oin)?.name ?? 'unknown organisation' },
      processingActivity: { id: activityId, name: activity?.versions.at(-1)?.name ?? 'unknown processing activity' },
      autorisatieIds,
      accesses,
      dataSubjects: subjects,
      fieldsAuthorised: [...authorisedFields].sort(),
      fieldsUsed: [...used].sort(),
      fieldsUnused: [...authorisedFields].filter((p) => !isUsed(p)).sort(),
      refusals: refusalsByPair.get(key) ?? {},
    });
    done++;
  }
  options.onProgress?.({ done, total: sorted.length, step: 'totals' });
  const totals = await data.totals();

  const expiring = current
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
  const accessed = new Set(
    rows.filter((r) => r.accesses > 0).map((r) => pairKey(r.afnemer.oin, r.processingActivity.id)),
  );
  const dormant = current
    .filter((a) => inForceDuring(a, from, to) && !accessed.has(pairKey(a.afnemerOin, a.processingActivityId)))
    .map((a) => ({ id: a.id, afnemerOin: a.afnemerOin, processingActivityId: a.processingActivityId }));

  return {
    period: { from: new Date(from).toISOString(), to: new Date(Math.min(to, 8_640_000_000_000_000)).toISOString() },
    generatedAt: new Date(now).toISOString(),
    serviceId,
    directorySerial: snapshot.serial,
    history: { source: options.historySource, changes: changes.length },
    heads: options.heads,
    totals: {
      accesses: totals.accesses,
      dataSubjects: totals.dataSubjects,
      refusals: refusalTotal,
      invalidAccesses: invalidCount,
      // Fields unused by an afnemer that did use its autorisatie; an autorisatie not used at all is dormant instead.
      unusedFieldFindings: rows.filter((r) => r.accesses > 0 && r.fieldsUnused.length > 0).length,
      expiringAutorisaties: expiring.length,
      dormantAutorisaties: dormant.length,
    },
    rows,
    refusalsWithoutCaller: withoutCaller,
    invalidAccesses,
    expiringAutorisaties: expiring,
    dormantAutorisaties: dormant,
  };
}

/**
 * Decides, for one (afnemer, activity, version), at which moments an access was covered. Validity can
 * only change at a moment when something in the registry changed or began or ended; between two such
 * moments it is constant, so checking each stretch at its start decides the whole stretch.
 */
function validityChecker(
  activity: ProcessingActivity | undefined,
  autorisaties: StateTimeline,
  grondslagen: StateTimeline,
  autorisatieIds: readonly string[],
  group: { oin: string; activityId: string; version: number },
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
    if (!autorisatieIds.some((id) => inForce(autorisaties.knownAt(id, t), t))) {
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
