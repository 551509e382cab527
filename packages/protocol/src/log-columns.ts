/**
 * The columns a gateway keeps beside each access record, copied from the record so that its indexes
 * can serve the citizen's timeline and the auditor's report without parsing records. They are copies:
 * an auditor checks each against the record proven in the signed log (`verifyLogs`), so that a
 * column edited behind the record is found, and every report reads only columns named here.
 */
export interface AccessRecordColumns {
  readonly trace_id: string;
  readonly span_id: string;
  readonly parent_span_id: string | null;
  readonly start_time: number;
  readonly end_time: number;
  readonly status: string;
  readonly processing_activity_id: string;
  readonly processing_activity_version: number;
  readonly data_subject_id: string | null;
  readonly foreign_processor: string;
  /** The delegate that asked for `foreign_processor` (`poortwachter.delegate_oin`); null when it asked itself. */
  readonly delegate_oin: string | null;
  readonly service_id: string;
  readonly transaction_id: string;
  /** JSON array: the record's `poortwachter.released_fields`. */
  readonly released_fields: string;
}

/** The names of those columns, in the order the gateway stores them. */
export const ACCESS_RECORD_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'start_time',
  'end_time',
  'status',
  'processing_activity_id',
  'processing_activity_version',
  'data_subject_id',
  'foreign_processor',
  'delegate_oin',
  'service_id',
  'transaction_id',
  'released_fields',
] as const satisfies readonly (keyof AccessRecordColumns)[];

interface RecordShape {
  readonly trace_id?: unknown;
  readonly span_id?: unknown;
  readonly parent_span_id?: unknown;
  readonly start_time?: unknown;
  readonly end_time?: unknown;
  readonly status?: unknown;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/**
 * The columns an access record must have beside it, derived from the record alone.
 *
 * @example
 * accessRecordColumns(record).released_fields; // '["naam.voornamen"]'
 */
export function accessRecordColumns(record: unknown): AccessRecordColumns {
  const r = (record ?? {}) as RecordShape;
  const a = r.attributes ?? {};
  return {
    trace_id: String(r.trace_id),
    span_id: String(r.span_id),
    parent_span_id: r.parent_span_id === undefined ? null : String(r.parent_span_id),
    start_time: Number(r.start_time),
    end_time: Number(r.end_time),
    status: String(r.status),
    processing_activity_id: String(a['dpl.core.processing_activity_id']),
    processing_activity_version: Number(a['poortwachter.processing_activity_version']),
    data_subject_id: a['dpl.core.data_subject_id'] === undefined ? null : String(a['dpl.core.data_subject_id']),
    foreign_processor: String(a['dpl.core.foreign_operation.processor']),
    delegate_oin: a['poortwachter.delegate_oin'] === undefined ? null : String(a['poortwachter.delegate_oin']),
    service_id: String(a['poortwachter.service_id']),
    transaction_id: String(a['poortwachter.fsc_transaction_id']),
    released_fields: JSON.stringify(a['poortwachter.released_fields'] ?? []),
  };
}

/** Every column whose stored value differs from the one the record gives, as `name: stored ≠ proven`. */
export function columnDifferences(record: unknown, stored: Readonly<Record<string, unknown>>): string[] {
  const proven = accessRecordColumns(record) as unknown as Record<string, unknown>;
  return Object.entries(proven).flatMap(([name, value]) => {
    const actual = stored[name];
    // Databases hand numbers back as numbers or numeric strings (PostgreSQL bigint).
    const same = typeof value === 'number' ? Number(actual) === value : (actual ?? null) === value;
    return same ? [] : [`${name}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(value)}`];
  });
}
