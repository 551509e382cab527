import { GatewayRefusal } from '@poortwachter/protocol';
import type { SelectQueryBuilder } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';

/** A keyset position in the log, newest first: the last (start_time, id) a page showed. */
export interface Position {
  readonly t: number;
  readonly id: string;
}

/** Opaque to the client: base64url of `<start_time>.<id>`. It holds no personal data and no subject. */
export const encodeCursor = (p: Position): string => Buffer.from(`${p.t}.${p.id}`).toString('base64url');

export function decodeCursor(cursor: string, name = 'cursor'): Position {
  const [t, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (!t || !/^\d{1,16}$/.test(t) || !id || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new GatewayRefusal('invalidRequest', 'De cursor komt niet van deze gateway.', {
      invalidParams: [{ name, code: 'cursor', reason: 'Gebruik de cursor uit het vorige antwoord.' }],
    });
  }
  return { t: Number(t), id };
}

/**
 * One page of access records newest first, from a query already narrowed to what the reader may see:
 * the keyset condition after `after` (the `start_time <=` bound lets the index range start there),
 * the order (start_time, id) descending, and one row more than `limit` to know whether a next page
 * exists. Records that arrive during a walk are newer than any cursor: a walk neither skips nor repeats.
 */
export async function newestFirstPage<O extends { id: string; start_time: number }>(
  select: SelectQueryBuilder<GatewayDatabase, 'access_log', O>,
  after: Position | undefined,
  limit: number,
): Promise<{ rows: O[]; next: string | null }> {
  return pageOf(await newestFirstRows(select, after, limit + 1), limit);
}

/** Up to `n` rows newest first after `after` (the keyset condition and the order of a page). */
export function newestFirstRows<O extends { id: string; start_time: number }>(
  select: SelectQueryBuilder<GatewayDatabase, 'access_log', O>,
  after: Position | undefined,
  n: number,
): Promise<O[]> {
  return olderThan(select, after).orderBy('start_time', 'desc').orderBy('id', 'desc').limit(n).execute();
}

/** The keyset condition: only rows older than `after` in the order (start_time, id). */
export function olderThan<O>(
  select: SelectQueryBuilder<GatewayDatabase, 'access_log', O>,
  after: Position | undefined,
): SelectQueryBuilder<GatewayDatabase, 'access_log', O> {
  return after
    ? select
        .where('start_time', '<=', after.t)
        .where((eb) => eb(eb.refTuple('start_time', 'id'), '<', eb.tuple(after.t, after.id)))
    : select;
}

/** A page of `limit` from up to `limit + 1` rows newest first, with the cursor to the next when there is one. */
export function pageOf<O extends { id: string; start_time: number }>(
  rows: readonly O[],
  limit: number,
): { rows: O[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > limit && last ? encodeCursor({ t: Number(last.start_time), id: last.id }) : null,
  };
}
