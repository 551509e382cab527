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
  /**
   * The id of the log key that made `data_subject_id` (logKeyId); null for records written before
   * the ids were kept. Not part of the record nor of its leaf: the gateway's own bookkeeping.
   */
  log_key_id: string | null;
  foreign_processor: string;
  /** The delegate that asked for `foreign_processor` (a copy of `poortwachter.delegate_oin`); null otherwise. */
  delegate_oin: string | null;
  service_id: string;
  transaction_id: string;
  /** Copy of the record's `poortwachter.released_fields` (JSON array), for the coverage index. */
  released_fields: string;
  /** The Logboek record as stored (JSON). */
  record: string;
  /** Where the record sits in the verifiable log (its instance's tree, its leaf): reports read only proven rows. */
  log_id: string | null;
  leaf_index: number | null;
}
export type AccessLogRow = Selectable<AccessLogTable>;
export type NewAccessLogRow = Insertable<AccessLogTable>;

/**
 * A refused request: no personal data, only who asked what and why it was refused. Its columns are the
 * record itself (`{ id, refusal }` is its leaf in the verifiable log). Refusals of callers nobody
 * identified are counted per minute and reason: one row with `count`, so that they cannot fill the table.
 */
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
  count: number;
  log_id: string | null;
  leaf_index: number | null;
}
export type NewRefusalRow = Insertable<RefusalTable>;
/** A refusal as the gateway writes it; its position in the log is given when its batch is committed. */
export type RefusalWrite = Omit<NewRefusalRow, 'log_id' | 'leaf_index'>;

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
  /**
   * The same head as a C2SP checkpoint signed by the same key (a signed note named by the log's
   * origin); null for heads of before issue 30 and for a key that is not Ed25519.
   */
  checkpoint: string | null;
}

/** A witness's cosignature of a head (C2SP tlog-cosignature): one note signature line. */
export interface MerkleCosignatureTable {
  log_id: string;
  tree_size: number;
  /** The witness's key name as the directory lists it. */
  witness: string;
  /** `— <name> <base64>\n`: what is appended to the head's checkpoint. */
  line: string;
  received_at: number;
}

/** A coverage report job (any instance on the database answers its polls). */
export interface CoverageJobTable {
  id: string;
  owner_oin: string;
  /** The instance that runs it; its `updated_at` is the heartbeat. */
  instance_id: string;
  created_at: number;
  updated_at: number;
  status: 'running' | 'done' | 'failed';
  /** JSON of the progress ({ done, total, step }). */
  progress: string;
  /** JSON of the report, once done. */
  report: string | null;
  error: string | null;
}

/**
 * A record that left `access_log` because its bewaartermijn passed: its place in the verifiable log
 * (the leaf hash stays in `merkle_leaves`), its time, activity and term, and when it was purged. No
 * content (not who asked, nor what). The subject's pseudonym stays so that the citizen sees it went.
 */
export interface PurgedRecordTable {
  id: string;
  log_id: string | null;
  leaf_index: number | null;
  start_time: number;
  processing_activity_id: string;
  processing_activity_version: number;
  data_subject_id: string | null;
  /** The id of the log key that made `data_subject_id`, as the record had it. */
  log_key_id: string | null;
  bewaartermijn: string;
  purged_at: number;
}

/** A month of `access_log` dropped whole by the retention purge (PostgreSQL). */
export interface RetentionMonthTable {
  month: string;
  dropped_at: number;
  records: number;
}

/** In which months a subject has records, and how many (PostgreSQL only): the partitions a timeline reads. */
export interface SubjectMonthTable {
  data_subject_id: string;
  /** `2026-12` (UTC). */
  month: string;
  /** Records written for the subject in the month (the retention purge of single rows does not lower it). */
  records: number;
}

/** A citizen's subscription to notices of new accesses (by the pseudonym of their BSN). */
export interface NoticeSubscriptionTable {
  data_subject_id: string;
  email: string;
  frequentie: 'dagelijks' | 'wekelijks';
  /** JSON array of the OINs whose accesses count; null: every organisation's. */
  organisaties: string | null;
  created_at: number;
  updated_at: number;
  /** The log time (start_time) up to which records were taken into account. */
  seen_until: number;
  /** When the last notice was accepted by the mail server; null: none yet. */
  last_sent: number | null;
}

/**
 * A terugmelding (correctieverzoek of the citizen, or an afnemer's report of doubt) about this inway's
 * data. `body` is the parsed TerugMelding (personal data); the BSN only as its pseudonym.
 */
export interface TerugmeldingTable {
  /** UUIDv7: the `terugMeldingReferentie`. */
  id: string;
  service_id: string;
  /** The pseudonym of the BSN it is about (under the log key of when it was made). */
  data_subject_id: string;
  melder_soort: 'betrokkene' | 'organisatie';
  /** The afnemer that filed it; null for the citizen's own. */
  melder_oin: string | null;
  /** The afnemer's verwerkingsactiviteit under which it filed it; null for the citizen's own. */
  processing_activity_id: string | null;
  /** JSON of the parsed TerugMelding. */
  body: string;
  status: string;
  uitkomst: string | null;
  /** The bronhouder's message to the melder (personal data: never in an operational log). */
  bericht: string | null;
  created_at: number;
  updated_at: number;
  /** When it became final plus the terugmelding activity's bewaartermijn: the retention purge deletes it then. */
  purge_after: number | null;
}

/** One status a terugmelding went through, and who set it (null: the citizen). */
export interface TerugmeldingStatusTable {
  terugmelding_id: string;
  at: number;
  status: string;
  by_oin: string | null;
}

export interface GatewayDatabase {
  notice_subscriptions: NoticeSubscriptionTable;
  terugmeldingen: TerugmeldingTable;
  terugmelding_statussen: TerugmeldingStatusTable;
  access_log_purged: PurgedRecordTable;
  access_log_subject_months: SubjectMonthTable;
  retention_months: RetentionMonthTable;
  coverage_jobs: CoverageJobTable;
  merkle_leaves: MerkleLeafTable;
  merkle_nodes: MerkleNodeTable;
  merkle_heads: MerkleHeadTable;
  merkle_cosignatures: MerkleCosignatureTable;
  access_log: AccessLogTable;
  refusals: RefusalTable;
  nonces: NonceTable;
}
