import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, TerugmeldingStatusTable, TerugmeldingTable } from '../storage/tables.ts';

export type TerugmeldingRow = Selectable<TerugmeldingTable>;
export type TerugmeldingStatusRow = Selectable<TerugmeldingStatusTable>;

/** A stored terugmelding with the statuses it went through, oldest first. */
export interface StoredTerugmelding {
  readonly row: TerugmeldingRow;
  readonly statussen: readonly TerugmeldingStatusRow[];
}

/** The most a list answers (newest first): a bronhouder filters by status to see the rest. */
export const LIST_LIMIT = 500;

/** Stores a new terugmelding and its first status (Gemeld) in one transaction. */
export async function insertTerugmelding(db: Kysely<GatewayDatabase>, row: TerugmeldingTable, byOin: string | null) {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('terugmeldingen').values(row).execute();
    await trx
      .insertInto('terugmelding_statussen')
      .values({ terugmelding_id: row.id, at: row.created_at, status: row.status, by_oin: byOin })
      .execute();
  });
}

/** The terugmelding with this id, or undefined. */
export async function findTerugmelding(
  db: Kysely<GatewayDatabase>,
  id: string,
): Promise<StoredTerugmelding | undefined> {
  const row = await db.selectFrom('terugmeldingen').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return (await withStatussen(db, [row]))[0];
}

export interface TerugmeldingFilter {
  /** About one of these subjects (a citizen's pseudonyms under every log key). */
  readonly subjects?: readonly string[];
  /** Filed by this afnemer. */
  readonly melderOin?: string;
  readonly status?: string;
}

/** The terugmeldingen that match, newest first, at most LIST_LIMIT. */
export async function listTerugmeldingen(
  db: Kysely<GatewayDatabase>,
  serviceId: string,
  filter: TerugmeldingFilter,
): Promise<StoredTerugmelding[]> {
  let query = db.selectFrom('terugmeldingen').selectAll().where('service_id', '=', serviceId);
  if (filter.subjects) {
    if (filter.subjects.length === 0) return [];
    query = query.where('data_subject_id', 'in', [...filter.subjects]);
  }
  if (filter.melderOin !== undefined) query = query.where('melder_oin', '=', filter.melderOin);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(LIST_LIMIT).execute();
  return withStatussen(db, rows);
}

export interface StatusChange {
  readonly id: string;
  /** The status the change was decided on: nothing changes when another changed it meanwhile. */
  readonly from: string;
  readonly to: string;
  readonly at: number;
  /** Who set it; null for the citizen. */
  readonly byOin: string | null;
  readonly uitkomst?: string;
  readonly bericht?: string;
  /** Set when the status is final: when the retention purge deletes it. */
  readonly purgeAfter?: number;
}

/**
 * Moves a terugmelding from `from` to `to` and notes the status, in one transaction; false (nothing
 * written) when its status is no longer `from`.
 */
export async function changeStatus(db: Kysely<GatewayDatabase>, change: StatusChange): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('terugmeldingen')
      .set({
        status: change.to,
        updated_at: change.at,
        ...(change.uitkomst === undefined ? {} : { uitkomst: change.uitkomst }),
        ...(change.bericht === undefined ? {} : { bericht: change.bericht }),
        ...(change.purgeAfter === undefined ? {} : { purge_after: change.purgeAfter }),
      })
      .where('id', '=', change.id)
      .where('status', '=', change.from)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('terugmelding_statussen')
      .values({ terugmelding_id: change.id, at: change.at, status: change.to, by_oin: change.byOin })
      .execute();
    return true;
  });
}

/**
 * The retention purge of terugmeldingen: a final one whose `purge_after` has passed is deleted with its
 * statuses (its access records stay in the log). Returns how many went.
 */
export async function purgeTerugmeldingen(db: Kysely<GatewayDatabase>, now: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = trx.selectFrom('terugmeldingen').select('id').where('purge_after', '<=', now);
    await trx.deleteFrom('terugmelding_statussen').where('terugmelding_id', 'in', due).execute();
    const deleted = await trx.deleteFrom('terugmeldingen').where('purge_after', '<=', now).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  });
}

async function withStatussen(
  db: Kysely<GatewayDatabase>,
  rows: readonly TerugmeldingRow[],
): Promise<StoredTerugmelding[]> {
  if (rows.length === 0) return [];
  const statussen = await db
    .selectFrom('terugmelding_statussen')
    .selectAll()
    .where(
      'terugmelding_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('at')
    .execute();
  const byId = new Map<string, TerugmeldingStatusRow[]>();
  for (const s of statussen) byId.set(s.terugmelding_id, [...(byId.get(s.terugmelding_id) ?? []), s]);
  return rows.map((row) => ({ row, statussen: byId.get(row.id) ?? [] }));
}
