import type { Selectable } from 'kysely';

/** A signed head of the change log: its JWS and, beside it, the C2SP checkpoint of the same size and root. */
export interface ChangeHeadTable {
  tree_size: number;
  root_hash: string;
  /** When it was signed, in milliseconds (the JWS head's `timestamp`). */
  timestamp: number;
  jws: string;
  /** The checkpoint note signed by the registry key, without cosignatures. */
  checkpoint: string;
}
export type ChangeHeadRow = Selectable<ChangeHeadTable>;

/** A witness's cosignature of the checkpoint of one head: one note signature line. */
export interface ChangeCosignatureTable {
  tree_size: number;
  witness: string;
  line: string;
  received_at: string;
}
