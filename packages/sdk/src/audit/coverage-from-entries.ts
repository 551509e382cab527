import { accessRecordColumns } from '@poortwachter/protocol';
import type { ProvenEntry } from '../log-verification.ts';
import type { CoverageData, CoveragePair } from './coverage-report.ts';

/**
 * The report's data from entries an auditor proved itself (`proveEntries`): the access records that
 * started in [from, to) and the service's refusals of that period. Each record's columns are derived
 * from the record, as the sdk defines them, so nothing the gateway stored beside it is used.
 *
 * @example
 * const report = await computeCoverage(coverageFromEntries(proven, { serviceId, from, to }), snapshot, changes, options);
 */
export function coverageFromEntries(
  entries: readonly ProvenEntry[],
  period: { readonly serviceId: string; readonly from: number; readonly to: number },
): CoverageData {
  const records = entries.flatMap((e) => {
    if (!('record' in e)) return [];
    const columns = accessRecordColumns(e.record);
    return columns.start_time >= period.from && columns.start_time < period.to ? [{ id: e.id, ...columns }] : [];
  });
  const refusals = entries.flatMap((e) =>
    'refusal' in e &&
    e.refusal.service_id === period.serviceId &&
    e.refusal.at >= period.from &&
    e.refusal.at < period.to
      ? [e.refusal]
      : [],
  );
  const of = (pair: CoveragePair) =>
    records.filter((r) => r.foreign_processor === pair.oin && r.processing_activity_id === pair.activityId);
  const distinctSubjects = (rows: typeof records) =>
    new Set(rows.flatMap((r) => (r.data_subject_id === null ? [] : [r.data_subject_id]))).size;

  return {
    async recordPairs() {
      const seen = new Map<string, CoveragePair>();
      for (const r of records) {
        seen.set(`${r.foreign_processor}\n${r.processing_activity_id}`, {
          oin: r.foreign_processor,
          activityId: r.processing_activity_id,
        });
      }
      return [...seen.values()];
    },
    async groups(pair) {
      const groups = new Map<
        string,
        { version: number; releasedFields: string; n: number; first: number; last: number }
      >();
      for (const r of of(pair)) {
        const key = `${r.processing_activity_version}\n${r.released_fields}`;
        const g = groups.get(key) ?? {
          version: r.processing_activity_version,
          releasedFields: r.released_fields,
          n: 0,
          first: r.start_time,
          last: r.start_time,
        };
        g.n++;
        g.first = Math.min(g.first, r.start_time);
        g.last = Math.max(g.last, r.start_time);
        groups.set(key, g);
      }
      return [...groups.values()];
    },
    async perDay(pair) {
      const days = new Map<number, number>();
      for (const r of of(pair)) {
        const day = Math.floor(r.start_time / 86_400_000);
        days.set(day, (days.get(day) ?? 0) + 1);
      }
      return [...days].map(([day, n]) => ({ day, n }));
    },
    async subjects(pair) {
      return distinctSubjects(of(pair));
    },
    async stretch(pair, version, from, to, limit) {
      const inStretch = of(pair)
        .filter((r) => r.processing_activity_version === version && r.start_time >= from && r.start_time < to)
        .sort((a, b) => a.start_time - b.start_time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return {
        n: inStretch.length,
        listed: inStretch.slice(0, limit).map((r) => ({ id: r.id, startTime: r.start_time })),
      };
    },
    async refusals() {
      const counts = new Map<
        string,
        { callerOin: string | null; activityId: string | null; reason: string; n: number }
      >();
      for (const r of refusals) {
        const key = JSON.stringify([r.caller_oin, r.processing_activity_id, r.reason]);
        const c = counts.get(key) ?? {
          callerOin: r.caller_oin,
          activityId: r.processing_activity_id,
          reason: r.reason,
          n: 0,
        };
        c.n += r.count;
        counts.set(key, c);
      }
      return [...counts.values()];
    },
    async totals() {
      return { accesses: records.length, dataSubjects: distinctSubjects(records) };
    },
  };
}
