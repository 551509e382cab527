import type { Insertable, Selectable } from 'kysely';

/**
 * One access record per data subject (Logboek Dataverwerkingen shape, stored whole in `record`),
 * with the columns that the citizen, organisation and auditor queries filter on.
 */
export interface AccessLogTable {
  /** UUIDv7: sortable by time, the id the citizen sees. */
  id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  start_time: number;
  end_time: number;
  status: 'Unset' | 'Ok' | 'Error';
  processing_activity_id: string;
  processing_activity_version: number;
  /** Keyed pseudonym (HMAC-SHA-256) of the BSN; null for a search that found nobody. */
  data_subject_id: string | null;
  foreign_processor: string;
  service_id: string;
  transaction_id: string;
  /** Copy of the record's `poortwachter.released_fields` (JSON array), for the coverage index. */
  released_fields: string;
  /** The Logboek record as stored (JSON). */
  record: string;
}
export type AccessLogRow = Selectable<AccessLogTable>;
export type NewAccessLogRow = Insertable<AccessLogTable>;

/** A refused request: no personal data, only who asked what and why it was refused. */
export interface RefusalTable {
  /** UUIDv7. */
  id: string;
  at: number;
  transaction_id: string;
  trace_id: string;
  caller_oin: string | null;
  keyid: string | null;
  service_id: string;
  processing_activity_id: string | null;
  reason: string;
  status: number;
  fsc_error_code: string;
  detail: string;
}
export type NewRefusalRow = Insertable<RefusalTable>;

/** Nonces of signed requests, kept until their signature expires, shared by all instances. */
export interface NonceTable {
  keyid: string;
  nonce: string;
  expires_at: number;
}

export interface MerkleLeafTable {
  log_id: string;
  leaf_index: number;
  record_id: string;
  /** base64 of SHA-256(0x00 ‖ canonical JSON of { id, record }). */
  leaf_hash: string;
}
export interface MerkleNodeTable {
  log_id: string;
  level: number;
  node_index: number;
  hash: string;
}
export interface MerkleHeadTable {
  log_id: string;
  tree_size: number;
  root_hash: string;
  timestamp: number;
  /** The signed tree head: a compact JWS by the bronhouder's key. */
  jws: string;
}

export interface GatewayDatabase {
  merkle_leaves: MerkleLeafTable;
  merkle_nodes: MerkleNodeTable;
  merkle_heads: MerkleHeadTable;
  access_log: AccessLogTable;
  refusals: RefusalTable;
  nonces: NonceTable;
}
