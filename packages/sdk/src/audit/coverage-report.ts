import { type DirectorySnapshot, overlapping } from '@poortwachter/protocol';
import {
  autorisatieOf,
  contractStatus,
  keysOfTrustedDirectory,
  type SignedContract,
} from '@poortwachter/protocol/contracts';
import {
  authorisedPaths,
  dormantAutorisaties,
  expiringAutorisaties,
  responsibleOf,
  validityChecker,
} from './coverage-rules.ts';
import type { CoverageData, CoverageReport, ReportHead, ReportProgress } from './coverage-types.ts';
import { type RegistryChange, StateTimeline } from './registry-history.ts';

export type { CoverageData, CoveragePair, CoverageReport, ReportHead, ReportProgress } from './coverage-types.ts';

const LISTED_INVALID = 1000;
const SINCE_ALWAYS = '0000-01-01T00:00:00.000Z';

/**
 * The autorisaties that come from contracts, as states of the history. Their validity is not the
 * registry's word but the parties' signatures: each contract is rebuilt from the registry's change log
 * (its content from the proposal, every signature the parties sent since) and from the directory, its
 * signatures checked again here against the directory's anchored keys, and granted as the gateway grants
 * it (`autorisatieOf`: from the later of its start and the last acceptance, revoked at the first counted
 * reject or revoke). So a revoke the directory in hand does not show yet still counts from its moment,
 * and a contract that ended long ago still covers the accesses of its time. One state, known since always,
 * holds all of that. Autorisaties the change log knows from before contracts keep their own history.
 */
async function contractStates(
  snapshot: DirectorySnapshot,
  changes: readonly RegistryChange[],
  now: number,
): Promise<RegistryChange[]> {
  const contracts = new Map<string, { content?: SignedContract['content']; signatures: Set<string> }>();
  const entry = (hash: string) => {
    const found = contracts.get(hash) ?? { signatures: new Set<string>() };
    contracts.set(hash, found);
    return found;
  };
  for (const contract of snapshot.contracts ?? []) {
    const found = entry(contract.hash);
    found.content = contract.content;
    for (const jws of contract.signatures) found.signatures.add(jws);
  }
  for (const change of changes) {
    if (change.entity !== 'contract') continue;
    const found = entry(change.entityId);
    const { content, signature } = change.record as { content?: SignedContract['content']; signature?: unknown };
    if (content && !found.content) found.content = content;
    if (typeof signature === 'string') found.signatures.add(signature);
  }
  const keys = keysOfTrustedDirectory(snapshot.organisations);
  const providers = new Map(snapshot.services.map((s) => [s.id, s.providerOin]));
  const states: RegistryChange[] = [];
  for (const [hash, { content, signatures }] of contracts) {
    if (!content) continue;
    const contract: SignedContract = { hash, content, signatures: [...signatures] };
    const autorisatie = autorisatieOf(
      contract,
      await contractStatus(contract, keys, { now: new Date(now) }),
      providers,
    );
    if (!autorisatie) continue;
    states.push({
      serial: 0,
      changedAt: SINCE_ALWAYS,
      entity: 'autorisatie',
      entityId: autorisatie.id,
      action: 'create',
      record: { ...autorisatie },
    });
  }
  return states;
}

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
  const autorisatieStates = new StateTimeline(
    [...(await contractStates(snapshot, changes, now)), ...changes],
    'autorisatie',
  );
  const grondslagStates = new StateTimeline(changes, 'grondslag');
  const service = snapshot.services.find((s) => s.id === serviceId);
  const catalogue = service?.fieldCatalogue.filter((f) => !f.automatic).map((f) => f.path) ?? [];
  // The bronhouder's own processing for the betrokkene (their inzage, their terugmeldingen) needs no autorisatie.
  const ownActivities = new Set(
    service?.betrokkene ? [service.betrokkene.inzageActivityId, service.betrokkene.terugmeldingActivityId] : [],
  );
  const activities = new Map(snapshot.processing_activities.map((a) => [a.id, a]));

  // Every autorisatie the history knows for this service, by (responsible organisation, activity) as the
  // records name them (a delegate's under its delegator), with its latest state.
  const autorisatiesByPair = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const ids = autorisatiesByPair.get(key) ?? [];
    if (!ids.includes(id)) autorisatiesByPair.set(key, [...ids, id]);
  };
  for (const id of autorisatieStates.ids()) {
    const state = autorisatieStates.knownAt(id, Number.MAX_SAFE_INTEGER);
    if (state?.serviceId !== serviceId) continue;
    const responsible = responsibleOf({ afnemerOin: state.afnemerOin, delegatorOin: state.delegatorOin });
    add(pairKey(responsible, String(state.processingActivityId)), id);
  }
  const current = snapshot.autorisaties.filter((a) => a.serviceId === serviceId);
  for (const a of current) add(pairKey(responsibleOf(a), a.processingActivityId), a.id);

  const pairs = new Set<string>(current.map((a) => pairKey(responsibleOf(a), a.processingActivityId)));
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
    const perDay = groups.length > 0 ? await data.perDay(pair) : [];

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
      for (const path of authorisedPaths(catalogue, fields)) authorisedFields.add(path);
    }
    const isUsed = (path: string) => [...used].some((u) => overlapping(u, path));

    const activity = activities.get(activityId);
    for (const [version, range] of [...versions].sort(([a], [b]) => a - b)) {
      const check = validityChecker(activity, autorisatieStates, grondslagStates, autorisatieIds, {
        oin,
        activityId,
        version,
        ownProcessing: oin === service?.providerOin && ownActivities.has(activityId),
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
      acceptedBy: current
        .filter((a) => pairKey(responsibleOf(a), a.processingActivityId) === key)
        .flatMap((a) =>
          (a.acceptedBy ?? []).map((acceptance) => ({
            autorisatieId: a.id,
            oin: acceptance.oin,
            name: snapshot.organisations.find((o) => o.oin === acceptance.oin)?.name ?? 'unknown organisation',
            signedAt: acceptance.signedAt,
          })),
        ),
      accesses,
      dataSubjects: subjects,
      fieldsAuthorised: [...authorisedFields].sort(),
      fieldsUsed: [...used].sort(),
      fieldsUnused: [...authorisedFields].filter((p) => !isUsed(p)).sort(),
      refusals: refusalsByPair.get(key) ?? {},
      accessesPerDay: perDay
        .sort((a, b) => a.day - b.day)
        .map((d) => ({ day: new Date(d.day * 86_400_000).toISOString().slice(0, 10), n: d.n })),
    });
    done++;
  }
  options.onProgress?.({ done, total: sorted.length, step: 'totals' });
  const totals = await data.totals();

  const expiring = expiringAutorisaties(current, now);
  const accessed = new Set(
    rows.filter((r) => r.accesses > 0).map((r) => pairKey(r.afnemer.oin, r.processingActivity.id)),
  );
  const dormant = dormantAutorisaties(current, (oin, activity) => accessed.has(pairKey(oin, activity)), from, to);

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
