import type { JWK } from 'jose';
import type { SignedContract } from '../contracts/contract.ts';
import type {
  Autorisatie,
  Grondslag,
  IdentityProvider,
  Organisation,
  ProcessingActivity,
  Service,
} from '../domain/model.ts';

/**
 * The payload of the signed directory snapshot: everything a gateway or a client needs to decide,
 * so that the registry is never on the hot path.
 */
export interface DirectorySnapshot {
  /** Raised by every change to the registry; a gateway never accepts a lower one than it has. */
  readonly serial: number;
  /** When this snapshot was signed (ISO 8601, UTC). */
  readonly issued_at: string;
  /**
   * How often the registry re-signs an unchanged snapshot (seconds): a fetched snapshot may be this old
   * already, so a gateway's maximum age must be longer. Absent in snapshots of older registries (60).
   */
  readonly resign_interval_seconds?: number;
  /**
   * The public keys the registry signs this snapshot with (absent in snapshots of older registries).
   * During a key rotation it holds the old and the new key and the snapshot carries a signature by
   * each: a verifier that pinned the old key learns the new one from it (see `verifyDirectory`).
   */
  readonly registry_keys?: readonly JWK[];
  readonly organisations: readonly Organisation[];
  readonly services: readonly Service[];
  readonly grondslagen: readonly Grondslag[];
  /** Every verwerkingsactiviteit with all its versions. */
  readonly processing_activities: readonly ProcessingActivity[];
  /**
   * Derived, never trusted as sent: readers take autorisaties only from `trustDirectory`
   * (`@poortwachter/protocol/contracts`), which rebuilds them from `contracts`. Registries publish `[]`.
   */
  readonly autorisaties: readonly Autorisatie[];
  /** Every contract the registry holds (proposed, in force, ended), with all its signatures. */
  readonly contracts?: readonly SignedContract[];
  readonly identity_providers: readonly IdentityProvider[];
  /**
   * The witnesses that cosign the logs' checkpoints (C2SP tlog-witness; absent in snapshots of registries
   * before issue 30: none). Readers accept a log's head only with `witness_quorum` of their cosignatures.
   */
  readonly witnesses?: readonly Witness[];
  /** How many distinct witnesses must have cosigned a head: a majority of `witnesses`. */
  readonly witness_quorum?: number;
  /**
   * The head of the registry's change log this snapshot reflects: its first `tree_size` changes, whose
   * Merkle root is `root_hash` (base64). Signed with the snapshot, so an auditor checks the snapshot
   * against the witnessed log (`registry verify`). Absent in snapshots of older registries.
   */
  readonly change_log?: { readonly tree_size: number; readonly root_hash: string };
}

/** A witness as the directory lists it. */
export interface Witness {
  /** Its key name, as on its cosignature lines (`poortwachter.example/getuige-ap`). */
  readonly name: string;
  /** Its C2SP verifier key (type 0x04, Ed25519 `cosignature/v1`): `<name>+<key id>+<key>`. */
  readonly vkey: string;
  /** Its submission and monitoring prefix (`<url>/add-checkpoint`). */
  readonly url: string;
  /** Who runs it (for people; never a reason to trust it). */
  readonly operator?: string;
}

/** The JOSE `typ` of a directory snapshot. */
export const DIRECTORY_TYP = 'poortwachter-directory+jws';
/** The JOSE `typ` of a signed page of the registry's change log. */
export const CHANGES_TYP = 'poortwachter-changes+jws';
/** The media type of a snapshot signed by several keys (JWS JSON general serialization, RFC 7515 §7.2.1). */
export const JOSE_JSON = 'application/jose+json';
/** Signing algorithms the registry may use (and verifiers accept). */
export const DIRECTORY_ALGS = ['ES256', 'EdDSA'] as const;
