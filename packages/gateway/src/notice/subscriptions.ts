import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, NoticeSubscriptionTable } from '../storage/tables.ts';

/** How often a subscriber may get a notice. */
export const FREQUENTIES = ['dagelijks', 'wekelijks'] as const;
export type Frequentie = (typeof FREQUENTIES)[number];

/** The least time between two notices to one subscriber. */
export const FREQUENTIE_MS: Record<Frequentie, number> = {
  dagelijks: 24 * 3600 * 1000,
  wekelijks: 7 * 24 * 3600 * 1000,
};

/** A citizen's notice settings as they read and write them (`/inzage/v1/berichten`). */
export interface Berichten {
  readonly email: string;
  readonly frequentie: Frequentie;
  /** Only accesses by these organisations (OINs) count; absent: every organisation's. */
  readonly organisaties?: readonly string[];
}

export type SubscriptionRow = Selectable<NoticeSubscriptionTable>;

/** The settings a row holds, as the citizen sees them. */
export function berichtenOf(row: SubscriptionRow): Berichten {
  return {
    email: row.email,
    frequentie: row.frequentie,
    ...(row.organisaties === null ? {} : { organisaties: JSON.parse(row.organisaties) as string[] }),
  };
}

/** The citizen's subscription, by any pseudonym of their BSN (the current log key's or an earlier one's). */
export async function findSubscription(
  db: Kysely<GatewayDatabase>,
  subjects: readonly string[],
): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('notice_subscriptions').selectAll().where('data_subject_id', 'in', subjects).executeTakeFirst();
}

/**
 * Subscribes (or changes the settings of) the citizen whose current pseudonym is `subjects[0]`. A
 * subscription kept under an earlier log key's pseudonym moves to the current one (records are
 * written under the current key only, so the job would find none under the old one), keeping when
 * it last sent and what it already took into account. A new subscription counts accesses from now.
 */
export async function saveSubscription(
  db: Kysely<GatewayDatabase>,
  subjects: readonly string[],
  berichten: Berichten,
  now: number,
): Promise<Berichten> {
  const [current] = subjects;
  if (current === undefined) throw new Error('saveSubscription: no pseudonym');
  return db.transaction().execute(async (trx) => {
    const existing = await findSubscription(trx, subjects);
    await trx.deleteFrom('notice_subscriptions').where('data_subject_id', 'in', subjects).execute();
    const row: SubscriptionRow = {
      data_subject_id: current,
      email: berichten.email,
      frequentie: berichten.frequentie,
      organisaties: berichten.organisaties ? JSON.stringify(berichten.organisaties) : null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
      // `seen_until` is exclusive: an access in the very millisecond of subscribing counts.
      seen_until: existing?.seen_until ?? now - 1,
      last_sent: existing?.last_sent ?? null,
    };
    await trx.insertInto('notice_subscriptions').values(row).execute();
    return berichtenOf(row);
  });
}

/** Ends the citizen's subscription; whether there was one. */
export async function deleteSubscription(db: Kysely<GatewayDatabase>, subjects: readonly string[]): Promise<boolean> {
  const result = await db
    .deleteFrom('notice_subscriptions')
    .where('data_subject_id', 'in', subjects)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The subscriptions in pages of `size`, by pseudonym, so that a large table is never read at once. */
export async function* allSubscriptions(db: Kysely<GatewayDatabase>, size = 500): AsyncGenerator<SubscriptionRow> {
  let after: string | undefined;
  for (;;) {
    let query = db.selectFrom('notice_subscriptions').selectAll().orderBy('data_subject_id').limit(size);
    if (after !== undefined) query = query.where('data_subject_id', '>', after);
    const rows = await query.execute();
    yield* rows;
    if (rows.length < size) return;
    after = rows.at(-1)?.data_subject_id;
  }
}

/**
 * Moves a subscription on after a run: records up to `seenUntil` were taken into account, and with
 * `sentAt` a notice was accepted then. Only the row as it was read moves (a subscription the citizen
 * ended or made again meanwhile is left as it is now).
 */
export async function markSeen(
  db: Kysely<GatewayDatabase>,
  row: SubscriptionRow,
  seenUntil: number,
  sentAt?: number,
): Promise<void> {
  await db
    .updateTable('notice_subscriptions')
    .set({ seen_until: seenUntil, ...(sentAt === undefined ? {} : { last_sent: sentAt }) })
    .where('data_subject_id', '=', row.data_subject_id)
    .where('created_at', '=', row.created_at)
    .execute();
}
