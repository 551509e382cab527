import type { StoredAccessRecord } from '../storage/access-record.ts';

export interface SampleRecordOptions {
  /** The record's (pseudonymised) subject; default `p-<id>`. */
  readonly subject?: string;
  /** Milliseconds added to the start and end time (records in order). */
  readonly offsetMs?: number;
  readonly releasedFields?: readonly string[];
}

/**
 * One access record as the gateway stores it (Utrecht's Wmo asking RvIG's BRP), for the tests of the
 * log's write path: the one place its shape is spelled out, so that a new attribute is added once.
 *
 * @example
 * await writer.log.submit({ accessRecords: [sampleAccessRecord('a')] });
 */
export function sampleAccessRecord(id: string, options: SampleRecordOptions = {}): StoredAccessRecord {
  const offset = options.offsetMs ?? 0;
  return {
    id,
    record: {
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      name: 'brp-personen RaadpleegMetBurgerservicenummer',
      status: 'Ok',
      start_time: 1_795_000_000_000 + offset,
      end_time: 1_795_000_000_020 + offset,
      resource: { attributes: { 'service.name': 'poortwachter-gateway' } },
      attributes: {
        'dpl.core.processing_activity_id': 'https://www.utrecht.nl/verwerkingsactiviteiten/wmo',
        'dpl.core.data_subject_id': options.subject ?? `p-${id}`,
        'dpl.core.data_subject_id_type': 'BSN',
        'dpl.core.foreign_operation.processor': '00000001000000344000',
        'poortwachter.processing_activity_version': 1,
        'poortwachter.service_id': 'brp-personen',
        'poortwachter.search_type': 'RaadpleegMetBurgerservicenummer',
        'poortwachter.released_fields': [...(options.releasedFields ?? ['naam.voornamen'])],
        'poortwachter.fsc_transaction_id': `tx-${id}`,
        'poortwachter.request_digest': 'sha-256=:AAAA:',
        'poortwachter.response_digest': 'sha-256=:BBBB:',
      },
    },
  };
}
