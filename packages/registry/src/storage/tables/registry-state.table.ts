import type { Selectable } from 'kysely';

/** Single row: the directory serial, raised in the same transaction as every change. */
export interface DirectoryStateTable {
  id: number;
  serial: number;
  changed_at: string;
}

/** Every change to the registry, in order: who-changed-what history for auditors. */
export interface ChangeTable {
  serial: number;
  changed_at: string;
  entity: string;
  entity_id: string;
  action: string;
  /** `operator` or the OIN whose signed request made the change. */
  actor: string;
  record: string;
  /** The change's leaf in the verifiable change log (base64 SHA-256, `changeLeafHash`). */
  leaf_hash: string | null;
}

/** Nonces of organisation-signed requests, remembered until their signatures expire. */
export interface RequestNonceTable {
  keyid: string;
  nonce: string;
  expires_at: number;
}
export type ChangeRow = Selectable<ChangeTable>;

/** Admin tokens, stored only as SHA-256 hashes. */
export interface AdminTokenTable {
  id: string;
  token_hash: string;
  created_at: string;
}
