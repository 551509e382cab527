import { type ProcessingActivity, retentionCutoff } from '@poortwachter/protocol';
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { monthPartitions } from '../storage/partitions.ts';
import type { GatewayDatabase } from '../storage/tables.ts';

/** What one purge did. */
export interface RetentionRun {
  /** Records that left access_log (their place in the log and the purge stay in access_log_purged). */
  readonly purged: number;
  /** Months whose partition was dropped whole (PostgreSQL), `2019-03`. */
  readonly monthsDropped: readonly string[];
  /** Versions of processing activities whose bewaartermijn is not a duration: their records are kept. */
  readonly unreadableTerms: readonly string[];
  /** Final terugmeldingen deleted because their bewaartermijn passed (their records stay in the log). */
  readonly terugmeldingen?: number;
}

interface Term {
  readonly activity: string;
  readonly version: number;
  readonly bewaartermijn: string;
  /** Records of this version that started before this are past their term. */
  readonly cutoff: number;
}

/** The bewaartermijn of every version, each with the moment before which its records are past it. */
function termsAt(activities: Iterable<ProcessingActivity>, now: number) {
  const terms: Term[] = [];
  const unreadable: string[] = [];
  for (const activity of activities) {
    for (const v of activity.versions) {
      const cutoff = retentionCutoff(now, v.bewaartermijn);
      if (cutoff === undefined) unreadable.push(`${activity.id} v${v.version} (${v.bewaartermijn})`);
      else terms.push({ activity: activity.id, version: v.version, bewaartermijn: v.bewaartermijn, cutoff });
    }
  }
  return { terms, unreadable };
}

/** The columns of an access_log row that access_log_purged keeps as they are. */
const KEPT_COLUMNS = [
  'id',
  'log_id',
  'leaf_index',
  'start_time',
  'processing_activity_id',
  'processing_activity_version',
  'data_subject_id',
  'log_key_id',
] as const;
const PURGED_COLUMNS = [...KEPT_COLUMNS, 'bewaartermijn', 'purged_at'] as const;

/**
 * The retention purge that DESIGN.md promises, and the only thing that deletes from the access log: a
 * record whose bewaartermijn (that of the version of the verwerkingsactiviteit it was logged under)
 * has passed leaves `access_log`; its leaf hash stays in `merkle_leaves`, so every signed head and every
 * other record's proof still verifies, and `access_log_purged` keeps that it was there and was removed
 * by retention (position, time, activity, term, when), without any of its content. A record whose
 * activity version is not in the register, or whose term cannot be read, is kept.
 *
 * On PostgreSQL, a month partition whose records are all past their term (the month has ended, and the
 * shortest term of what is in it has passed) is dropped whole, after its rows were noted as purged;
 * records of months that still hold records within term are deleted one by one.
 */
export async function purgeExpired(
  db: Kysely<GatewayDatabase>,
  activities: Iterable<ProcessingActivity>,
  now: number,
): Promise<RetentionRun> {
  const { terms, unreadable } = termsAt(activities, now);
  const monthsDropped: string[] = [];
  let purged = 0;
  if (terms.length === 0) return { purged, monthsDropped, unreadableTerms: unreadable };

  for (const partition of await monthPartitions(db as Kysely<unknown>)) {
    if (partition.to > now) break;
    // Dropped whole only when it holds records and none of them is within its term (nor of an
    // activity version the register does not know). An empty month is left as it is.
    const counts = await sql<{ total: number | string; open: number | string }>`
      select count(*) as total, count(*) filter (where not (${expiredPredicate(terms)})) as open
        from ${sql.table(partition.name)}`.execute(db);
    const { total, open } = counts.rows[0] ?? { total: 0, open: 1 };
    if (Number(total) === 0 || Number(open) > 0) continue;
    const records = await db.transaction().execute(async (trx) => {
      const moved = await trx
        .insertInto('access_log_purged')
        .columns(PURGED_COLUMNS)
        .expression(
          trx.selectFrom(sql.table(partition.name).as('a') as never).select(purgedColumns(termOf(terms), now) as never),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      await sql`drop table ${sql.table(partition.name)}`.execute(trx);
      await trx.deleteFrom('access_log_subject_months').where('month', '=', partition.month).execute();
      const n = Number(moved.numInsertedOrUpdatedRows ?? 0);
      await trx
        .insertInto('retention_months')
        .values({ month: partition.month, dropped_at: now, records: n })
        .onConflict((oc) => oc.column('month').doNothing())
        .execute();
      return n;
    });
    purged += records;
    monthsDropped.push(partition.month);
  }

  for (const term of terms) {
    purged += await db.transaction().execute(async (trx) => {
      const moved = await trx
        .insertInto('access_log_purged')
        .columns(PURGED_COLUMNS)
        .expression(
          trx
            .selectFrom('access_log')
            .select(purgedColumns(sql.lit(term.bewaartermijn), now))
            .where('processing_activity_id', '=', term.activity)
            .where('processing_activity_version', '=', term.version)
            .where('start_time', '<', term.cutoff),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      await trx
        .deleteFrom('access_log')
        .where('processing_activity_id', '=', term.activity)
        .where('processing_activity_version', '=', term.version)
        .where('start_time', '<', term.cutoff)
        .execute();
      return Number(moved.numInsertedOrUpdatedRows ?? 0);
    });
  }
  return { purged, monthsDropped, unreadableTerms: unreadable };
}

/** What `access_log_purged` keeps of a row (in PURGED_COLUMNS' order), with its term and the time of the purge. */
function purgedColumns(term: Expression<string>, now: number) {
  return [...KEPT_COLUMNS, sql`${term}`.as('bewaartermijn'), sql.lit(now).as('purged_at')] as const;
}

/** `(activity, version, start before its cutoff)` for any of the terms: a record past its term. */
function expiredPredicate(terms: readonly Term[]): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.join(
    terms.map(
      (t) =>
        sql`(processing_activity_id = ${t.activity} and processing_activity_version = ${t.version} and start_time < ${t.cutoff})`,
    ),
    sql` or `,
  )})`;
}

/** The term of a row's activity version, as a SQL expression. */
function termOf(terms: readonly Term[]) {
  return sql<string>`case ${sql.join(
    terms.map(
      (t) =>
        sql`when processing_activity_id = ${t.activity} and processing_activity_version = ${t.version} then ${t.bewaartermijn}`,
    ),
    sql` `,
  )} end`;
}
