import type { Autorisatie, ProcessingActivity } from '@poortwachter/registry/directory';
import type { CoverageReport } from '@poortwachter/sdk';
import { type Kysely, sql } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { inForceAt, type RegistryHistory, StateTimeline } from './registry-history.ts';

/** The report's shape is the sdk's: clients and gateway share one definition. */
export type { CoverageReport };

type CoverageRow = CoverageReport['rows'][number];
type InvalidAccess = CoverageReport['invalidAccesses'][number];

export interface CoverageProgress {
  readonly done: number;
  readonly total: number;
  readonly step: string;
}

const LISTED_INVALID = 1000;
const DAY = 86_400_000;
const pairKey = (oin: string, activity: string) => `${oin}\n${activity}`;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The version of an activity the registry had in force at t, as it knew it then: among the versions
 * recorded at or before t, the one with the latest `validFrom` at or before t; none if that one was revoked.
 */
function versionKnownAt(activity: ProcessingActivity | undefined, t: number) {
  const version = activity?.versions
    .filter((v) => Date.parse(v.recordedAt) <= t && Date.parse(v.validFrom) <= t)
    .sort((a, b) => Date.parse(a.validFrom) - Date.parse(b.validFrom))
    .at(-1);
  if (!version || (version.revokedAt !== null && Date.parse(version.revokedAt) <= t)) return undefined;
  return version;
}

/**
 * The auditor's coverage report for one service over [from, to): per afnemer × processing activity the
 * accesses, distinct subjects, fields used against fields authorised and refusals by code; every
 * access whose autorisatie, processing activity version or grondslag was not valid at that moment,
 * recomputed from the registry's history (not taken from the row); autorisaties expiring within 30
 * days and those unused in the period.
 *
 * Cost: one aggregate per (afnemer, processing activity) over the covering index `access_log_coverage`,
 * then, per version, a check of the moments at which anything in the registry changed: only the
 * stretches of time that were not covered are read row by row. Between pairs it yields to the event
 * loop, so a report does not stall the gateway's traffic.
 */
export async function computeCoverage(
  db: Kysely<GatewayDatabase>,
  directory: DirectoryIndex,
  history: RegistryHistory,
  options: {
    serviceId: string;
    from: number;
    to: number;
    now: number;
    onProgress?: (progress: CoverageProgress) => void;
  },
): Promise<CoverageReport> {
  const { serviceId, from, to, now } = options;
  const changes = await history.changes();
  const autorisatieStates = new StateTimeline(changes, 'autorisatie');
  const grondslagStates = new StateTimeline(changes, 'grondslag');
  const catalogue = directory.services.get(serviceId)?.fieldCatalogue.map((f) => f.path) ?? [];

  // Every autorisatie the history knows for this service, by (afnemer, activity), with its latest state.
  const autorisatiesByPair = new Map<string, string[]>();
  for (const id of autorisatieStates.ids()) {
    const state = autorisatieStates.knownAt(id, Number.MAX_SAFE_INTEGER);
    if (!state || state.serviceId !== serviceId) continue;
    const key = pairKey(String(state.afnemerOin), String(state.processingActivityId));
    autorisatiesByPair.set(key, [...(autorisatiesByPair.get(key) ?? []), id]);
  }
  const current = directory.snapshot.autorisaties.filter((a) => a.serviceId === serviceId);
  for (const a of current) {
    const key = pairKey(a.afnemerOin, a.processingActivityId);
    if (!autorisatiesByPair.get(key)?.includes(a.id))
      autorisatiesByPair.set(key, [...(autorisatiesByPair.get(key) ?? []), a.id]);
  }

  // The pairs that have records in the period, found by skipping through the index one pair at a time.
  const pairs = new Set<string>(current.map((a) => pairKey(a.afnemerOin, a.processingActivityId)));
  for (let position: { fp: string; pa: string } | undefined; ; ) {
    const p = position;
    const next = await db
      .selectFrom('access_log')
      .select(['foreign_processor', 'processing_activity_id'])
      .$if(p !== undefined, (q) =>
        q.where((eb) =>
          eb(eb.refTuple('foreign_processor', 'processing_activity_id'), '>', eb.tuple(p?.fp ?? '', p?.pa ?? '')),
        ),
      )
      .orderBy('foreign_processor')
      .orderBy('processing_activity_id')
      .limit(1)
      .executeTakeFirst();
    if (!next) break;
    position = { fp: next.foreign_processor, pa: next.processing_activity_id };
    const inPeriod = await db
      .selectFrom('access_log')
      .select('id')
      .where('foreign_processor', '=', position.fp)
      .where('processing_activity_id', '=', position.pa)
      .where('start_time', '>=', from)
      .where('start_time', '<', to)
      .limit(1)
      .executeTakeFirst();
    if (inPeriod) pairs.add(pairKey(position.fp, position.pa));
  }

  const refusalRows = await db
    .selectFrom('refusals')
    .select(['caller_oin', 'processing_activity_id', 'reason', sql<number>`count(*)`.as('n')])
    .where('at', '>=', from)
    .where('at', '<', to)
    .where('service_id', '=', serviceId)
    .groupBy(['caller_oin', 'processing_activity_id', 'reason'])
    .execute();
  const refusalsByPair = new Map<string, Record<string, number>>();
  let refusalTotal = 0;
  const withoutCaller: Record<string, number> = {};
  for (const r of refusalRows) {
    if (r.caller_oin === null) {
      // Refused before anyone was identified (no or a bad signature, a citizen's bad token): no pair to file it under.
      withoutCaller[r.reason] = (withoutCaller[r.reason] ?? 0) + Number(r.n);
      refusalTotal += Number(r.n);
      continue;
    }
    const key = pairKey(r.caller_oin, r.processing_activity_id ?? 'none');
    const counts = refusalsByPair.get(key) ?? {};
    counts[r.reason] = (counts[r.reason] ?? 0) + Number(r.n);
    refusalTotal += Number(r.n);
    refusalsByPair.set(key, counts);
    pairs.add(key);
  }

  const sorted = [...pairs].sort();
  const rows: CoverageRow[] = [];
  const invalidAccesses: InvalidAccess[] = [];
  let invalidCount = 0;
  let done = 0;
  for (const key of sorted) {
    options.onProgress?.({ done, total: sorted.length, step: key.replace('\n', ' ') });
    await yieldToEventLoop();
    const [oin = '', activityId = ''] = key.split('\n');
    const groups = await db
      .selectFrom('access_log')
      .select([
        'processing_activity_version as version',
        'released_fields',
        sql<number>`count(*)`.as('n'),
        sql<number>`min(start_time)`.as('first'),
        sql<number>`max(start_time)`.as('last'),
      ])
      .where('foreign_processor', '=', oin)
      .where('processing_activity_id', '=', activityId)
      .where('start_time', '>=', from)
      .where('start_time', '<', to)
      .groupBy(['processing_activity_version', 'released_fields'])
      .execute();
    const subjects = groups.length
      ? await db
          .selectFrom('access_log')
          .select(sql<number>`count(distinct data_subject_id)`.as('n'))
          .where('foreign_processor', '=', oin)
          .where('processing_activity_id', '=', activityId)
          .where('start_time', '>=', from)
          .where('start_time', '<', to)
          .executeTakeFirstOrThrow()
      : { n: 0 };

    const used = new Set<string>();
    const versions = new Map<number, { first: number; last: number }>();
    let accesses = 0;
    for (const g of groups) {
      for (const f of JSON.parse(g.released_fields) as string[]) used.add(f);
      accesses += Number(g.n);
      const v = versions.get(Number(g.version));
      versions.set(Number(g.version), {
        first: Math.min(v?.first ?? Number.MAX_SAFE_INTEGER, Number(g.first)),
        last: Math.max(v?.last ?? 0, Number(g.last)),
      });
    }

    const autorisatieIds = autorisatiesByPair.get(key) ?? [];
    const authorisedFields = new Set<string>();
    for (const id of autorisatieIds) {
      const fields = (autorisatieStates.knownAt(id, Number.MAX_SAFE_INTEGER)?.fields ??
        current.find((a) => a.id === id)?.fields ??
        []) as string[];
      for (const path of catalogue)
        if (fields.some((a) => path === a || path.startsWith(`${a}.`))) authorisedFields.add(path);
    }
    const isUsed = (path: string) =>
      [...used].some((u) => u === path || u.startsWith(`${path}.`) || path.startsWith(`${u}.`));

    for (const [version, range] of versions) {
      const check = validityChecker(directory, autorisatieStates, grondslagStates, autorisatieIds, {
        oin,
        activityId,
        version,
      });
      for (const stretch of check.invalidStretches(range.first, range.last + 1)) {
        const inStretch = db
          .selectFrom('access_log')
          .where('foreign_processor', '=', oin)
          .where('processing_activity_id', '=', activityId)
          .where('processing_activity_version', '=', version)
          .where('start_time', '>=', Math.max(stretch.from, from))
          .where('start_time', '<', Math.min(stretch.to, to));
        const { n } = await inStretch.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
        invalidCount += Number(n);
        const listed = await inStretch
          .select(['id', 'start_time'])
          .orderBy('start_time')
          .limit(Math.max(0, LISTED_INVALID - invalidAccesses.length))
          .execute();
        for (const row of listed) {
          invalidAccesses.push({
            id: row.id,
            at: new Date(Number(row.start_time)).toISOString(),
            afnemerOin: oin,
            processingActivityId: activityId,
            processingActivityVersion: version,
            reasons: stretch.reasons,
          });
        }
      }
    }

    const activity = directory.processingActivities.get(activityId);
    rows.push({
      afnemer: { oin, name: directory.organisations.get(oin)?.name ?? 'unknown organisation' },
      processingActivity: { id: activityId, name: activity?.versions.at(-1)?.name ?? 'unknown processing activity' },
      autorisatieIds,
      accesses,
      dataSubjects: Number(subjects.n),
      fieldsAuthorised: [...authorisedFields].sort(),
      fieldsUsed: [...used].sort(),
      fieldsUnused: [...authorisedFields].filter((p) => !isUsed(p)).sort(),
      refusals: refusalsByPair.get(key) ?? {},
    });
    done++;
  }
  options.onProgress?.({ done, total: sorted.length, step: 'totals' });

  const totals = await db
    .selectFrom('access_log')
    .select([sql<number>`count(*)`.as('n'), sql<number>`count(distinct data_subject_id)`.as('subjects')])
    .where('start_time', '>=', from)
    .where('start_time', '<', to)
    .executeTakeFirstOrThrow();

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
    .filter((a: Autorisatie) => overlaps(a, from, to) && !accessed.has(pairKey(a.afnemerOin, a.processingActivityId)))
    .map((a) => ({ id: a.id, afnemerOin: a.afnemerOin, processingActivityId: a.processingActivityId }));

  return {
    period: { from: new Date(from).toISOString(), to: new Date(Math.min(to, 8_640_000_000_000_000)).toISOString() },
    generatedAt: new Date(now).toISOString(),
    serviceId,
    directorySerial: directory.serial,
    history: { source: history.source, changes: changes.length },
    totals: {
      accesses: Number(totals.n),
      dataSubjects: Number(totals.subjects),
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

/** Was the autorisatie in force (by its current state) at some moment of [from, to)? */
const overlaps = (a: Autorisatie, from: number, to: number) =>
  Date.parse(a.validFrom) < to &&
  (a.validTo === null || Date.parse(a.validTo) > from) &&
  (a.revokedAt === null || Date.parse(a.revokedAt) > from);

/**
 * Decides, for one (afnemer, activity, version), at which moments an access was covered. Validity can
 * only change at a moment when something in the registry changed or began or ended; between two such
 * moments it is constant, so checking each stretch at its start decides the whole stretch.
 */
function validityChecker(
  directory: DirectoryIndex,
  autorisaties: StateTimeline,
  grondslagen: StateTimeline,
  autorisatieIds: readonly string[],
  group: { oin: string; activityId: string; version: number },
) {
  const activity = directory.processingActivities.get(group.activityId);
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
    if (!autorisatieIds.some((id) => inForceAt(autorisaties.knownAt(id, t), t))) {
      reasons.push(`no autorisatie of ${group.oin} for this processing activity was in force`);
    }
    const inForce = versionKnownAt(activity, t);
    if (!activity) reasons.push(`processing activity ${group.activityId} is not in the registry`);
    else if (inForce?.version !== group.version) {
      reasons.push(
        `processing activity version ${group.version} was not the one in force (${inForce ? `version ${inForce.version} was` : 'none was'})`,
      );
    } else if (inForce.responsibleOin !== group.oin) {
      reasons.push(`the processing activity belongs to ${inForce.responsibleOin}, not to ${group.oin}`);
    }
    if (ofVersion && !grondslagIds.some((id) => inForceAt(grondslagen.knownAt(id, t), t))) {
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
