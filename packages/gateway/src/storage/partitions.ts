import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** Whether this database is PostgreSQL (where `access_log` is partitioned by month). */
export const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

/** The UTC month a time falls in, as `2026-12`, with its bounds in ms. */
export function monthOf(ms: number): { month: string; from: number; to: number } {
  const d = new Date(ms);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { month: new Date(from).toISOString().slice(0, 7), from, to };
}

/** A subject's month as `access_log_subject_months` holds it, with the rows of it counted. */
export interface SubjectMonth {
  readonly data_subject_id: string;
  readonly month: string;
  readonly records: number;
}

/** The key of a (subject, month) pair in the map `subjectMonths` returns. */
export const subjectMonthKey = (subject: string, month: string) => `${subject} ${month}`;

/**
 * The (subject, month) pairs of rows that have a subject, each with how many of the rows are in it,
 * by `subjectMonthKey`, sorted by key (so concurrent writers take row locks in one order).
 */
export function subjectMonths(
  rows: Iterable<{ readonly subject: string | null | undefined; readonly startTime: number }>,
): Map<string, SubjectMonth> {
  const pairs = new Map<string, SubjectMonth>();
  for (const { subject, startTime } of rows) {
    if (!subject) continue;
    const { month } = monthOf(startTime);
    const key = subjectMonthKey(subject, month);
    pairs.set(key, { data_subject_id: subject, month, records: (pairs.get(key)?.records ?? 0) + 1 });
  }
  return new Map([...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The partition of `access_log` that holds a month (`2026-12` → `access_log_y2026m12`). */
export const partitionName = (month: string) => `access_log_y${month.slice(0, 4)}m${month.slice(5, 7)}`;

/**
 * Makes sure `access_log` (PostgreSQL) has a partition for every month from `fromMs` to two months
 * after `toMs`, so that inserts never land in the default partition (which must stay empty: a month's
 * partition cannot be created while the default holds rows of that month). A no-op on SQLite.
 */
export async function ensureMonthPartitions(db: Kysely<unknown>, fromMs: number, toMs: number): Promise<string[]> {
  if (!isPostgres(db)) return [];
  const made: string[] = [];
  const last = monthOf(toMs).from;
  for (let at = monthOf(fromMs).from, ahead = 0; ahead <= 2; ) {
    const { month, from, to } = monthOf(at);
    const name = partitionName(month);
    if (!(await tableExists(db, name))) {
      try {
        await sql`create table if not exists ${sql.id(name)} partition of access_log for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(
          db,
        );
        made.push(name);
      } catch (error) {
        // Another instance on the same database made it at the same moment: that is as good.
        if (!(await tableExists(db, name))) throw error;
      }
    }
    if (at >= last) ahead++;
    at = to;
  }
  return made;
}

/** Whether a table of that name is in the connection's schema (search_path), not in some other schema on the server. */
async function tableExists(db: Kysely<unknown>, name: string): Promise<boolean> {
  const found = await sql<{ oid: string | null }>`select to_regclass(${name})::text as oid`.execute(db);
  return found.rows[0]?.oid != null;
}

/** The month partitions of `access_log` (PostgreSQL), oldest first, with their bounds. */
export async function monthPartitions(db: Kysely<unknown>) {
  if (!isPostgres(db)) return [];
  const rows = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
     where i.inhparent = to_regclass('access_log') and c.relname like 'access\\_log\\_y%'
     order by c.relname`.execute(db);
  return rows.rows.map(({ name }) => {
    const month = `${name.slice(12, 16)}-${name.slice(17, 19)}`;
    const from = Date.parse(`${month}-01T00:00:00Z`);
    return { name, month, from, to: monthOf(from).to };
  });
}
