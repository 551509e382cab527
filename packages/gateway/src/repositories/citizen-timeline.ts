import { type CitizenAccess, citizenView, type LoggedAccess } from '@poortwachter/sdk';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { isPostgres, monthOf } from '../storage/partitions.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { citizenRecords, confidentialActivities } from './citizen-records.ts';
import { newestFirstRows, olderThan, type Position, pageOf } from './cursor.ts';

/** One access as the citizen sees it: the sdk's definition, shared by gateway and clients. */
export type { CitizenAccess };

export interface TimelinePage {
  readonly verwerkingen: readonly CitizenAccess[];
  /** Pass as `cursor` for the next (older) page; null when this was the last. */
  readonly volgende: string | null;
  /**
   * How many of the citizen's records of this period the retention purge removed (their bewaartermijn
   * had passed), so that a shorter timeline is explained, not silent; on every page, the same number.
   */
  readonly verwijderd: { readonly aantal: number };
}

export interface TimelineQuery {
  /** The pseudonyms of the citizen's BSN, under the current and every previous log key. */
  readonly subjects: readonly string[];
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly after?: Position;
  readonly now: number;
}

/**
 * One page of a citizen's timeline, newest first, by the keyed pseudonyms of their BSN. The keyset
 * cursor (start_time, id) walks the index (data_subject_id, start_time, id): a page costs the same
 * at the first record as at the ten-thousandth, and records that arrive meanwhile are newer than any
 * cursor, so a walk neither skips nor repeats a record.
 */
export async function citizenTimeline(
  db: Kysely<GatewayDatabase>,
  directory: DirectoryIndex,
  serviceId: string,
  query: TimelineQuery,
): Promise<TimelinePage> {
  const select = citizenRecords(db, directory, query.subjects, query.now)
    .select([
      'id',
      'start_time',
      'foreign_processor',
      'delegate_oin',
      'processing_activity_id',
      'processing_activity_version',
      'transaction_id',
      'released_fields',
    ])
    .where('start_time', '>=', query.from)
    .where('start_time', '<', query.to);
  const { rows: page, next } = pageOf(
    isPostgres(db as Kysely<unknown>)
      ? await byMonths(db, select, query)
      : await newestFirstRows(select, query.after, query.limit + 1),
    query.limit,
  );
  // What retention removed, under the same rule as what is shown: nothing of a confidential activity.
  const hidden = confidentialActivities(directory, query.now);
  let purged = db
    .selectFrom('access_log_purged')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('data_subject_id', 'in', query.subjects)
    .where('start_time', '>=', query.from)
    .where('start_time', '<', query.to);
  if (hidden.length > 0) purged = purged.where('processing_activity_id', 'not in', hidden);
  const removed = Number((await purged.executeTakeFirst())?.n ?? 0);
  return {
    // From the index's copies of the record's fields; the citizen's client recomputes the view from the
    // proven record itself, so a copy that differs from the logged record is caught there.
    verwerkingen: page.map((row) => citizenView(loggedAccessOf(row), directory.snapshot, serviceId)),
    volgende: next,
    verwijderd: { aantal: removed },
  };
}

/** The most months one timeline query reads (each a branch of a UNION ALL, planned in about 0.06 ms). */
const MAX_MONTHS_PER_QUERY = 24;
const LAST_MONTH_START = Date.UTC(9999, 11, 1);

/**
 * On PostgreSQL: the page's rows, reading only the partitions of the newest months in which this
 * subject has records (`access_log_subject_months`, with their counts) that together fill the page:
 * one `UNION ALL` of one-month ranges (each prunes to its one partition; planning an OR of ranges or
 * one range over years costs several times more), usually one query; another when records were
 * hidden (confidential) or purged. Without this, every first page over the whole period plans and
 * opens all 240 partitions of twenty years (about 30 ms).
 */
async function byMonths<O extends { id: string; start_time: number }>(
  db: Kysely<GatewayDatabase>,
  select: SelectQueryBuilder<GatewayDatabase, 'access_log', O>,
  query: TimelineQuery,
): Promise<O[]> {
  // Months are compared as text (`2026-12`): a bound past year 9999 would not sort as one.
  const last = Math.min(query.to - 1, query.after?.t ?? Number.MAX_SAFE_INTEGER, LAST_MONTH_START);
  if (last < query.from) return [];
  const months = await db
    .selectFrom('access_log_subject_months')
    .select(['month', (eb) => eb.fn.sum<number | string>('records').as('records')])
    .where('data_subject_id', 'in', query.subjects)
    .where('month', '>=', monthOf(query.from).month)
    .where('month', '<=', monthOf(last).month)
    .groupBy('month')
    .orderBy('month', 'desc')
    .execute();
  const rows: O[] = [];
  let after = query.after;
  for (let i = 0; i < months.length && rows.length <= query.limit; ) {
    // The newest months whose records (as counted when written) fill what the page still needs.
    const wanted = query.limit + 1 - rows.length;
    const arms: SelectQueryBuilder<GatewayDatabase, 'access_log', O>[] = [];
    for (let sum = 0; i < months.length && sum < wanted && arms.length < MAX_MONTHS_PER_QUERY; i++) {
      const { month = '', records = 0 } = months[i] ?? {};
      const { from, to } = monthOf(Date.parse(`${month}-01T00:00:00Z`));
      arms.push(olderThan(select.where('start_time', '>=', from).where('start_time', '<', to), after));
      sum += Number(records);
    }
    const [first, ...others] = arms;
    if (!first) break;
    const found = await (others.length > 0 ? first.unionAll(others) : first)
      .orderBy('start_time', 'desc')
      .orderBy('id', 'desc')
      .limit(wanted)
      .execute();
    rows.push(...found);
    const end = found.at(-1);
    if (end) after = { t: Number(end.start_time), id: end.id };
  }
  return rows;
}

/** The record's fields the citizen's view needs, from the columns that copy them. */
function loggedAccessOf(row: {
  id: string;
  start_time: number;
  foreign_processor: string;
  delegate_oin: string | null;
  processing_activity_id: string;
  processing_activity_version: number;
  transaction_id: string;
  released_fields: string;
}): LoggedAccess {
  return {
    id: row.id,
    record: {
      start_time: Number(row.start_time),
      attributes: {
        'dpl.core.foreign_operation.processor': row.foreign_processor,
        ...(row.delegate_oin === null ? {} : { 'poortwachter.delegate_oin': row.delegate_oin }),
        'dpl.core.processing_activity_id': row.processing_activity_id,
        'poortwachter.processing_activity_version': Number(row.processing_activity_version),
        'poortwachter.fsc_transaction_id': row.transaction_id,
        'poortwachter.released_fields': JSON.parse(row.released_fields) as string[],
      },
    },
  };
}
