import type { Logger } from '@poortwachter/operations';
import type { Kysely } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';

/** Whether anything pseudonymised under one log key (null: before key ids were kept) remains. */
export interface LogKeyRecords {
  readonly keyId: string | null;
  /** Access records under it remain in `access_log`. */
  readonly records: boolean;
  /** Notes of records purged by retention remain (the citizen sees them with the key). */
  readonly purged: boolean;
}

/**
 * For each previous log key id, and for the rows without one (written before the ids were kept):
 * whether records under it remain, one `select … limit 1` per table and key. It reads no index (none
 * on `log_key_id`, so that writing a record costs nothing more): it stops at the first row found, and
 * reads the whole table only when none remains.
 */
export async function logKeyRecords(
  db: Kysely<GatewayDatabase>,
  previousKeyIds: readonly string[],
): Promise<LogKeyRecords[]> {
  const present = async (table: 'access_log' | 'access_log_purged', keyId: string | null) => {
    const found = await db
      .selectFrom(table)
      .select('id')
      .where('log_key_id', keyId === null ? 'is' : '=', keyId)
      .limit(1)
      .executeTakeFirst();
    return found !== undefined;
  };
  const result: LogKeyRecords[] = [];
  for (const keyId of [...previousKeyIds, null]) {
    result.push({
      keyId,
      records: await present('access_log', keyId),
      purged: await present('access_log_purged', keyId),
    });
  }
  return result;
}

/**
 * Tells the operator, once at start and only during a rotation (previous keys given), per previous log
 * key whether records under it remain: a key may be dropped from LOG_PREVIOUS_KEY_FILES once nothing
 * remains under it (else those citizens' records go missing from their timeline). Runs in the
 * background; the returned promise settles when it is done (never rejects: a failure is logged).
 */
export async function reportLogKeyRecords(
  db: Kysely<GatewayDatabase>,
  current: string,
  previousKeyIds: readonly string[],
  logger: Logger,
): Promise<void> {
  if (previousKeyIds.length === 0) return;
  try {
    for (const { keyId, records, purged } of await logKeyRecords(db, previousKeyIds)) {
      const remain = records || purged;
      const what = records ? 'records remain' : 'only notes of purged records remain';
      if (keyId === null && !remain) continue;
      logger.info(
        { event: 'log_key_records', log_key_id: keyId, current_log_key_id: current, records, purged },
        keyId === null
          ? `${what} from before log key ids were kept: keep the key that was current then`
          : remain
            ? `previous log key ${keyId}: ${what}; keep it in LOG_PREVIOUS_KEY_FILES`
            : `previous log key ${keyId}: no records remain; it may be dropped from LOG_PREVIOUS_KEY_FILES`,
      );
    }
  } catch (error) {
    logger.warn(
      { event: 'log_key_records', err: String(error) },
      'could not check for records under previous log keys',
    );
  }
}
