import { ACCESS_RECORD_COLUMNS, LOGGED_REFUSAL_FIELDS, uuidv7Time } from '@poortwachter/protocol';
import { type Kysely, sql } from 'kysely';
import { loggedRefusal } from '../storage/access-log-store.ts';
import { isPostgres, monthOf, subjectMonthKey, subjectMonths } from '../storage/partitions.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { newestFirstPage, type Position } from './cursor.ts';

/** The Logboek read API's filter, checked (see `reads/logboek-app.ts`); `subjects`: the pseudonyms of one BSN. */
export interface LogboekFilter {
  /** Only records of this afnemer's accesses (an afnemer reads its own; the bronhouder all). */
  readonly foreignProcessor?: string;
  readonly traceId?: string | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly activity?: string | undefined;
  readonly subjects?: readonly string[] | undefined;
  readonly limit: number;
  readonly cursor?: Position | undefined;
}

/** One page of access records, newest first, as the Logboek read API serves them. */
export async function logboekPage(db: Kysely<GatewayDatabase>, filter: LogboekFilter) {
  let select = db.selectFrom('access_log').select(['id', 'start_time', 'record']);
  if (filter.foreignProcessor) select = select.where('foreign_processor', '=', filter.foreignProcessor);
  if (filter.traceId) select = select.where('trace_id', '=', filter.traceId);
  if (filter.startTime !== undefined) select = select.where('start_time', '>=', filter.startTime);
  if (filter.endTime !== undefined) select = select.where('start_time', '<', filter.endTime);
  if (filter.activity) select = select.where('processing_activity_id', '=', filter.activity);
  if (filter.subjects) select = select.where('data_subject_id', 'in', filter.subjects);
  const { rows, next } = await newestFirstPage(select, filter.cursor, filter.limit);
  return { records: rows.map((r) => ({ id: r.id, ...(JSON.parse(r.record) as object) })), next };
}

const POSITION_COLUMNS = ['log_id', 'leaf_index'] as const;

/**
 * The leaves `[start, end)` of one log with what each proves: an access record with the columns
 * stored beside it (so that an auditor checks those copies against the proven record), or a refusal,
 * whose columns are its record.
 */
export async function logEntries(db: Kysely<GatewayDatabase>, logId: string, start: number, end: number) {
  // A record's id is the UUIDv7 of its start_time: the records of these leaves lie between the
  // earliest and the latest time their ids hold. With that bound PostgreSQL reads
  // the one or two month partitions they are in, not all 240 (a page of 1000 took over a second).
  // A record whose start_time was edited out of it is not found: the auditor sees its leaf as MISSING.
  // (The bounds are taken here, not with SQL's min/max, which PostgreSQL answers by walking the
  // record_id index from one end until it meets this range: 170 ms instead of 1.)
  const ids = await db
    .selectFrom('merkle_leaves')
    .select('record_id')
    .where('log_id', '=', logId)
    .where('leaf_index', '>=', start)
    .where('leaf_index', '<', end)
    .execute();
  const times = ids.map((l) => uuidv7Time(l.record_id));
  const known = times.every((t) => t !== undefined);
  const from = known && times.length > 0 ? Math.min(...(times as number[])) : undefined;
  const to = known && times.length > 0 ? Math.max(...(times as number[])) : undefined;
  const rows = await db
    .selectFrom('merkle_leaves as l')
    .leftJoin('access_log as a', (join) => {
      const byId = join.onRef('a.id', '=', 'l.record_id');
      return from === undefined || to === undefined
        ? byId
        : byId.on('a.start_time', '>=', from).on('a.start_time', '<=', to);
    })
    .leftJoin('refusals as r', 'r.id', 'l.record_id')
    .leftJoin('access_log_purged as p', 'p.id', 'l.record_id')
    .select(['l.leaf_index', 'l.record_id', 'l.leaf_hash', 'a.record'])
    .select([
      'p.purged_at as p_purged_at',
      'p.start_time as p_start_time',
      'p.processing_activity_id as p_activity',
      'p.processing_activity_version as p_version',
      'p.bewaartermijn as p_term',
    ])
    .select([...ACCESS_RECORD_COLUMNS, ...POSITION_COLUMNS].map((c) => `a.${c} as a_${c}` as const))
    .select([...LOGGED_REFUSAL_FIELDS, ...POSITION_COLUMNS].map((c) => `r.${c} as r_${c}` as const))
    .where('l.log_id', '=', logId)
    .where('l.leaf_index', '>=', start)
    .where('l.leaf_index', '<', end)
    .orderBy('l.leaf_index')
    .execute();
  const noted = await subjectMonthsNoted(db, rows as unknown as Record<string, unknown>[]);
  return rows.map((row) => {
    const r = row as unknown as Record<string, unknown>;
    const pick = (prefix: string, columns: readonly string[]) =>
      Object.fromEntries(columns.map((name) => [name, r[`${prefix}${name}`] ?? null]));
    const base = { index: Number(row.leaf_index), id: row.record_id, leaf_hash: row.leaf_hash };
    if (r.r_reason !== null && r.r_reason !== undefined) {
      const refusal = pick('r_', LOGGED_REFUSAL_FIELDS);
      return { ...base, refusal: loggedRefusal(refusal as never), columns: pick('r_', POSITION_COLUMNS) };
    }
    if (row.record === null && row.p_purged_at !== null) {
      // Removed by the retention purge: the leaf stays (so the tree still verifies), the content went.
      return {
        ...base,
        purged: {
          reason: 'bewaartermijn' as const,
          at: new Date(Number(row.p_purged_at)).toISOString(),
          bewaartermijn: row.p_term,
          start_time: Number(row.p_start_time),
          processing_activity_id: row.p_activity,
          processing_activity_version: Number(row.p_version),
        },
      };
    }
    const { subject, startTime } = storedSubject(r);
    const key = noted && subject ? subjectMonthKey(subject, monthOf(startTime).month) : undefined;
    return {
      ...base,
      record: row.record === null ? null : (JSON.parse(row.record) as unknown),
      columns: pick('a_', [...ACCESS_RECORD_COLUMNS, ...POSITION_COLUMNS]),
      // PostgreSQL: whether the citizen's timeline finds this record (it reads only the subject's noted months).
      ...(noted && key ? { in_subject_months: noted.has(key) } : {}),
    };
  });
}

/** The subject and start time an entry's stored row (`a_` columns) has, for `subjectMonths`. */
const storedSubject = (row: Record<string, unknown>) => ({
  subject: typeof row.a_data_subject_id === 'string' ? row.a_data_subject_id : undefined,
  startTime: Number(row.a_start_time),
});

/**
 * On PostgreSQL, which of these rows' (subject, month) pairs `access_log_subject_months` holds (by
 * `subjectMonthKey`): a pair that went missing would hide the record from the citizen's timeline, so
 * the auditor is told. Undefined on SQLite, where the timeline reads the table itself.
 */
async function subjectMonthsNoted(db: Kysely<GatewayDatabase>, rows: readonly Record<string, unknown>[]) {
  if (!isPostgres(db as Kysely<unknown>)) return undefined;
  const pairs = [...subjectMonths(rows.map(storedSubject)).values()];
  // One index lookup per pair (a row-value IN list of hundreds of pairs is planned as a scan).
  const present = await sql<{ data_subject_id: string; month: string }>`
    select t.data_subject_id, t.month
      from unnest(${pairs.map((p) => p.data_subject_id)}::text[], ${pairs.map((p) => p.month)}::text[]) as p(subject, month)
      join access_log_subject_months t on t.data_subject_id = p.subject and t.month = p.month`.execute(db);
  return new Set(present.rows.map((p) => subjectMonthKey(p.data_subject_id, p.month)));
}

/** Where a record sits in the verifiable log, if it is a leaf yet. */
export async function leafOf(db: Kysely<GatewayDatabase>, recordId: string) {
  const leaf = await db
    .selectFrom('merkle_leaves')
    .select(['log_id', 'leaf_index'])
    .where('record_id', '=', recordId)
    .executeTakeFirst();
  return leaf && { logId: leaf.log_id, index: Number(leaf.leaf_index) };
}
