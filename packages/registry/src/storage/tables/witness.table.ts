import type { Selectable } from 'kysely';

/**
 * A witness the directory lists: an independent party that cosigns a log's checkpoint only when it is
 * consistent with the last one it cosigned (C2SP tlog-witness). `name` is its key name.
 */
export interface WitnessTable {
  name: string;
  /** C2SP verifier key of its Ed25519 cosignature key (type 0x04): `<name>+<key id>+<base64>`. */
  vkey: string;
  /** Its submission and monitoring prefix (`<url>/add-checkpoint`). */
  url: string;
  /** Who runs it, for the reader (free text), or null. */
  operator: string | null;
  created_at: string;
  updated_at: string;
}
export type WitnessRow = Selectable<WitnessTable>;

/** Single row: how many of the listed witnesses must cosign a head before readers accept it. */
export interface WitnessPolicyTable {
  id: number;
  quorum: number;
  updated_at: string;
}
