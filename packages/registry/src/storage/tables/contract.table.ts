import type { Selectable } from 'kysely';

/** A contract's content as the proposer sent it (JSON), under its content hash. Never updated. */
export interface ContractTable {
  /** `contentHash(content)`: '$1$1$' and the base64url SHA3-512 of its canonical JSON. */
  hash: string;
  content: string;
  proposed_at: string;
  /** The OIN whose accept came with the proposal (for a migrated autorisatie: the afnemer's). */
  proposed_by: string;
}
export type ContractRow = Selectable<ContractTable>;

/** One party's signature on a contract: at most one of each type per party. */
export interface ContractSignatureTable {
  hash: string;
  oin: string;
  /** The signing key's JWK thumbprint (the JWS header's `kid`). */
  kid: string;
  type: 'accept' | 'reject' | 'revoke';
  /** When the party signed (from the signed payload), ISO 8601. */
  signed_at: string;
  /** With reject and revoke: the party's signed words. */
  reason: string | null;
  /** The compact JWS as the party sent it. */
  jws: string;
  /** When the registry received it. */
  recorded_at: string;
}
export type ContractSignatureRow = Selectable<ContractSignatureTable>;
