import type { CoverageData, ReportHead } from '@poortwachter/sdk';
import { type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';

type Eb = ExpressionBuilder<GatewayDatabase, 'access_log' | 'refusals'>;

/** Rows within the heads: of one of these logs, at a leaf the head covers. Nothing else is proven. */
const withinHeads = (heads: readonly ReportHead[]) => (eb: Eb) =>
  heads.length === 0
    ? sql<SqlBool>`1 = 0`
    : eb.or(heads.map((h) => eb.and([eb('log_id', '=', h.log_id), eb('leaf_index', '<', h.tree_size)])));

/**
 * The report's data from the gateway's database, within the signed heads it names: aggregates over the
 * covering index `access_log_coverage` (the report never reads the record JSON), and only the stretches
 * of time that were not covered row by row. Every column read here is one an auditor checks against the
 * proven records (`ACCESS_RECORD_COLUMNS`, the position, the refusal's own columns).
 */
export function databaseCoverageData(
  db: Kysely<GatewayDatabase>,
  options: { serviceId: string; from: number; to: number; heads: readonly ReportHead[] },
): CoverageData {
  const { from, to } = options;
  const inHeads = withinHeads(options.heads);
  const records = () =>
    db.selectFrom('access_log').where('start_time', '>=', from).where('start_time', '<', to).where(inHeads);
  const ofPair = (p: { oin: string; activityId: string }) =>
    records().where('foreign_processor', '=', p.oin).where('processing_activity_id', '=', p.activityId);
  return {
    async recordPairs() {
      // The pairs that have records in the period, found by skipping through the index one pair at a time.
      const pairs: { oin: string; activityId: string }[] = [];
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
        if (!next) return pairs;
        position = { fp: next.foreign_processor, pa: next.processing_activity_id };
        const pair = { oin: position.fp, activityId: position.pa };
        if (await ofPair(pair).select('id').limit(1).executeTakeFirst()) pairs.push(pair);
      }
    },
    async groups(pair) {
      const rows = await ofPair(pair)
        .select([
          'processing_activity_version as version',
          'released_fields',
          sql<number>`count(*)`.as('n'),
          sql<number>`min(start_time)`.as('first'),
          sql<number>`max(start_time)`.as('last'),
        ])
        .groupBy(['processing_activity_version', 'released_fields'])
        .execute();
      return rows.map((g) => ({
        version: Number(g.version),
        releasedFields: g.released_fields,
        n: Number(g.n),
        first: Number(g.first),
        last: Number(g.last),
      }));
    },
    async perDay(pair) {
      // Integer division on both SQLite and PostgreSQL (start_time is an integer column on both).
      const rows = await ofPair(pair)
        .select([sql<number>`start_time / 86400000`.as('day'), sql<number>`count(*)`.as('n')])
        .groupBy(sql`start_time / 86400000`)
        .execute();
      return rows.map((r) => ({ day: Number(r.day), n: Number(r.n) }));
    },
    async subjects(pair) {
      const { n } = await ofPair(pair)
        .select(sql<number>`count(distinct data_subject_id)`.as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    async stretch(pair, version, stretchFrom, stretchTo, limit) {
      const inStretch = ofPair(pair)
        .where('processing_activity_version', '=', version)
        .where('start_time', '>=', stretchFrom)
        .where('start_time', '<', stretchTo);
      const { n } = await inStretch.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      const listed =
        limit > 0
          ? await inStretch.select(['id', 'start_time']).orderBy('start_time').orderBy('id').limit(limit).execute()
          : [];
      return { n: Number(n), listed: listed.map((r) => ({ id: r.id, startTime: Number(r.start_time) })) };
    },
    async refusals() {
      const rows = await db
        .selectFrom('refusals')
        .select(['caller_oin', 'processing_activity_id', 'reason', sql<number>`sum(count)`.as('n')])
        .where('at', '>=', from)
        .where('at', '<', to)
        .where('service_id', '=', options.serviceId)
        .where(inHeads)
        .groupBy(['caller_oin', 'processing_activity_id', 'reason'])
        .execute();
      return rows.map((r) => ({
        callerOin: r.caller_oin,
        activityId: r.processing_activity_id,
        reason: r.reason,
        n: Number(r.n),
      }));
    },
    async totals() {
      const t = await records()
        .select([sql<number>`count(*)`.as('n'), sql<number>`count(distinct data_subject_id)`.as('subjects')])
        .executeTakeFirstOrThrow();
      return { accesses: Number(t.n), dataSubjects: Number(t.subjects) };
    },
  };
}
