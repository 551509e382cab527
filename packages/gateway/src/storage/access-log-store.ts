import type { Kysely } from 'kysely';
import type { StoredAccessRecord } from '../log/access-record.ts';
import type { LeafRow, NodeRow } from '../merkle/merkle-log.ts';
import type { GatewayDatabase, NewAccessLogRow, NewRefusalRow } from './tables.ts';

/** What one request asks to be written: its access records, or the record of its refusal. */
export type LogWrite = { readonly accessRecords: readonly StoredAccessRecord[] } | { readonly refusal: NewRefusalRow };

/**
 * Where the gateway's log goes. A structural interface, so tests can hand in a store that fails.
 */
/** The Merkle rows a batch appends (leaves and completed subtrees), committed with its records. */
export interface MerkleRows {
  readonly leaves: readonly LeafRow[];
  readonly nodes: readonly NodeRow[];
}

export interface AccessLogStore {
  /** Writes all in one transaction: every write of the batch (and its Merkle rows) is committed, or none is. */
  writeBatch(writes: readonly LogWrite[], merkle?: MerkleRows): Promise<void>;
}

export function toRow({ id, record }: StoredAccessRecord): NewAccessLogRow {
  const a = record.attributes;
  return {
    id,
    trace_id: record.trace_id,
    span_id: record.span_id,
    parent_span_id: record.parent_span_id ?? null,
    start_time: record.start_time,
    end_time: record.end_time,
    status: record.status,
    processing_activity_id: a['dpl.core.processing_activity_id'],
    processing_activity_version: a['poortwachter.processing_activity_version'],
    data_subject_id: a['dpl.core.data_subject_id'] ?? null,
    foreign_processor: a['dpl.core.foreign_operation.processor'],
    service_id: a['poortwachter.service_id'],
    transaction_id: a['poortwachter.fsc_transaction_id'],
    released_fields: JSON.stringify(a['poortwachter.released_fields']),
    record: JSON.stringify(record),
  };
}

/** Rows per INSERT statement; keeps SQLite's bound-parameter limit (32766) far away. */
const CHUNK = 200;

/**
 * The access log in the gateway's database (SQLite or PostgreSQL through Kysely). Append-only:
 * there is no update or delete here.
 */
export function createAccessLogStore(db: Kysely<GatewayDatabase>): AccessLogStore {
  return {
    async writeBatch(writes, merkle) {
      const rows = writes.flatMap((w) => ('accessRecords' in w ? w.accessRecords.map(toRow) : []));
      const refusals = writes.flatMap((w) => ('refusal' in w ? [w.refusal] : []));
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += CHUNK) {
          await trx
            .insertInto('access_log')
            .values(rows.slice(i, i + CHUNK))
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
    },
  };
}
