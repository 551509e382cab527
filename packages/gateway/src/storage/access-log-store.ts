import { accessRecordColumns, type LoggedRefusal } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { StoredAccessRecord } from './access-record.ts';
import { ensureMonthPartitions, isPostgres, monthOf, subjectMonths } from './partitions.ts';
import type {
  GatewayDatabase,
  MerkleLeafTable,
  MerkleNodeTable,
  NewAccessLogRow,
  NewRefusalRow,
  RefusalWrite,
} from './tables.ts';

/** What one request asks to be written: its access records, or the record of its refusal. */
export type LogWrite = { readonly accessRecords: readonly StoredAccessRecord[] } | { readonly refusal: RefusalWrite };

/**
 * Where the gateway's log goes. A structural interface, so tests can hand in a store that fails.
 */
/** The Merkle rows a batch appends (leaves and completed subtrees), committed with its records. */
export interface MerkleRows {
  readonly leaves: readonly MerkleLeafTable[];
  readonly nodes: readonly MerkleNodeTable[];
}

export interface AccessLogStore {
  /** Writes all in one transaction: every write of the batch (and its Merkle rows) is committed, or none is. */
  writeBatch(writes: readonly LogWrite[], merkle?: MerkleRows): Promise<void>;
}

/** Where each entry of a batch landed in the verifiable log, by entry id. */
export type LogPositions = ReadonlyMap<string, { readonly log_id: string; readonly leaf_index: number }>;

/**
 * The row of an access record: the record, the columns copied from it (the sdk's definition), its
 * position, and the id of the log key that made its pseudonym (outside the record and its leaf).
 */
export function toRow(
  { id, record }: StoredAccessRecord,
  positions?: LogPositions,
  logKeyId: string | null = null,
): NewAccessLogRow {
  const position = positions?.get(id);
  return {
    id,
    ...(accessRecordColumns(record) as Omit<NewAccessLogRow, 'id' | 'record' | 'log_id' | 'leaf_index' | 'log_key_id'>),
    log_key_id: logKeyId,
    record: JSON.stringify(record),
    log_id: position?.log_id ?? null,
    leaf_index: position?.leaf_index ?? null,
  };
}

/** The row of a refusal, with its position in the log. */
export function refusalRow(refusal: RefusalWrite, positions?: LogPositions): NewRefusalRow {
  const position = positions?.get(refusal.id);
  return { ...refusal, log_id: position?.log_id ?? null, leaf_index: position?.leaf_index ?? null };
}

/** A refusal as its leaf holds it: every column but its id and position. */
export function loggedRefusal(refusal: RefusalWrite | NewRefusalRow): LoggedRefusal {
  return {
    at: Number(refusal.at),
    transaction_id: refusal.transaction_id,
    trace_id: refusal.trace_id,
    caller_oin: refusal.caller_oin ?? null,
    keyid: refusal.keyid ?? null,
    service_id: refusal.service_id,
    processing_activity_id: refusal.processing_activity_id ?? null,
    reason: refusal.reason,
    status: Number(refusal.status),
    fsc_error_code: refusal.fsc_error_code,
    detail: refusal.detail,
    count: Number(refusal.count),
  };
}

/** Positions of a batch's entries from the leaves the tree prepared for it. */
export const positionsOf = (merkle?: MerkleRows): LogPositions =>
  new Map((merkle?.leaves ?? []).map((l) => [l.record_id, { log_id: l.log_id, leaf_index: l.leaf_index }]));

/** Rows per INSERT statement; keeps SQLite's bound-parameter limit (32766) far away. */
const CHUNK = 200;

/**
 * The access log in the gateway's database (SQLite or PostgreSQL through Kysely). Append-only:
 * there is no update or delete here.
 *
 * On PostgreSQL (`access_log` partitioned by month, no default partition) the store makes a month's
 * partition before the first record of that month, once per process, and notes in the same
 * transaction in which months each subject has records and how many (`access_log_subject_months`, what a
 * citizen's timeline reads first). Every row gets `logKeyId`: the id of the key its pseudonym was made with.
 */
export function createAccessLogStore(db: Kysely<GatewayDatabase>, logKeyId: string | null = null): AccessLogStore {
  const postgres = isPostgres(db as Kysely<unknown>);
  const monthsMade = new Set<string>();
  const ensureMonths = async (rows: readonly NewAccessLogRow[]) => {
    const missing = rows.map((r) => Number(r.start_time)).filter((t) => !monthsMade.has(monthOf(t).month));
    if (missing.length === 0) return;
    await ensureMonthPartitions(db as Kysely<unknown>, Math.min(...missing), Math.max(...missing));
    for (const t of missing) monthsMade.add(monthOf(t).month);
  };
  return {
    async writeBatch(writes, merkle) {
      const positions = positionsOf(merkle);
      const rows = writes.flatMap((w) =>
        'accessRecords' in w ? w.accessRecords.map((r) => toRow(r, positions, logKeyId)) : [],
      );
      const refusals = writes.flatMap((w) => ('refusal' in w ? [refusalRow(w.refusal, positions)] : []));
      if (postgres) await ensureMonths(rows);
      const noted = postgres
        ? [
            ...subjectMonths(
              rows.map((r) => ({ subject: r.data_subject_id, startTime: Number(r.start_time) })),
            ).values(),
          ]
        : [];
      const write = () =>
        db.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += CHUNK) {
            await trx
              .insertInto('access_log')
              .values(rows.slice(i, i + CHUNK))
              .execute();
          }
          for (let i = 0; i < noted.length; i += CHUNK) {
            await trx
              .insertInto('access_log_subject_months')
              .values(noted.slice(i, i + CHUNK))
              .onConflict((oc) =>
                oc.columns(['data_subject_id', 'month']).doUpdateSet((eb) => ({
                  records: eb('access_log_subject_months.records', '+', eb.ref('excluded.records')),
                })),
              )
              .execute();
          }
          for (const [table, rows] of [
            ['merkle_leaves', merkle?.leaves ?? []],
            ['merkle_nodes', merkle?.nodes ?? []],
          ] as const) {
            for (let i = 0; i < rows.length; i += CHUNK) {
              await trx
                .insertInto(table)
                .values(rows.slice(i, i + CHUNK) as never)
                .execute();
            }
          }
          for (let i = 0; i < refusals.length; i += CHUNK) {
            await trx
              .insertInto('refusals')
              .values(refusals.slice(i, i + CHUNK))
              .execute();
          }
        });
      try {
        await write();
      } catch (error) {
        // A month's partition that went after this process made it (the retention purge dropped a month
        // that was past every term, as on a clock far ahead): make it again, and write once more.
        if (!postgres || (error as { code?: string }).code !== NO_PARTITION) throw error;
        monthsMade.clear();
        await ensureMonths(rows);
        await write();
      }
    },
  };
}

/** PostgreSQL's error for a row that no partition takes (check_violation, 'no partition of relation … found'). */
const NO_PARTITION = '23514';
