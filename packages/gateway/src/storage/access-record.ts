/**
 * An access record in the Logboek Dataverwerkingen shape (an OpenTelemetry span): one per data
 * subject, `dpl.core.*` attributes as the standard names them, poortwachter's own under
 * `poortwachter.*`. Static facts (purpose, bewaartermijn, vertrouwelijkheid) stay in the registry.
 */
export interface AccessRecord {
  readonly trace_id: string;
  readonly span_id: string;
  readonly parent_span_id?: string;
  readonly name: string;
  readonly status: 'Unset' | 'Ok' | 'Error';
  readonly start_time: number;
  readonly end_time: number;
  readonly resource: { readonly attributes: Readonly<Record<string, string>> };
  readonly attributes: AccessRecordAttributes;
}

export interface AccessRecordAttributes {
  readonly 'dpl.core.processing_activity_id': string;
  readonly 'dpl.core.data_subject_id'?: string;
  /** `BSN` for persons in the BRP; another register's identifier type otherwise (`RSIN`, `KadasterNatuurlijkPersoon`). */
  readonly 'dpl.core.data_subject_id_type'?: string;
  /** The organisation responsible for the processing: the afnemer, or the delegator when a delegate asked. */
  readonly 'dpl.core.foreign_operation.processor': string;
  /** Only when a delegate asked on a delegated contract: the delegate's OIN (who signed the request). */
  readonly 'poortwachter.delegate_oin'?: string;
  readonly 'poortwachter.processing_activity_version': number;
  readonly 'poortwachter.service_id': string;
  readonly 'poortwachter.search_type': string;
  readonly 'poortwachter.released_fields': readonly string[];
  readonly 'poortwachter.fsc_transaction_id': string;
  /** `sha-256=:…:` of the RFC 9421 signature base of the signed request (non-repudiation). */
  readonly 'poortwachter.request_digest': string;
  /** `sha-256=:…:` of the released response body. */
  readonly 'poortwachter.response_digest': string;
  /** Only on a terugmelding's record (search type `Terugmelding`): which melding, and the status it got. */
  readonly 'poortwachter.terugmelding'?: {
    readonly id: string;
    readonly status: string;
    /** On filing: `sha-256=:…:` of the melding as the inway stored it. */
    readonly body_digest?: string;
  };
}

/** A stored access record: the record plus its id (UUIDv7) as the citizen sees it. */
export interface StoredAccessRecord {
  readonly id: string;
  readonly record: AccessRecord;
}
