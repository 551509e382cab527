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
  readonly organisations: readonly Organisation[];
  readonly services: readonly Service[];
  readonly grondslagen: readonly Grondslag[];
  /** Every verwerkingsactiviteit with all its versions. */
  readonly processing_activities: readonly ProcessingActivity[];
  readonly autorisaties: readonly Autorisatie[];
  readonly identity_providers: readonly IdentityProvider[];
}

/** The JOSE `typ` of a directory snapshot. */
export const DIRECTORY_TYP = 'poortwachter-directory+jws';
/** The JOSE `typ` of a signed page of the registry's change log. */
export const CHANGES_TYP = 'poortwachter-changes+jws';
/** Signing algorithms the registry may use (and verifiers accept). */
export const DIRECTORY_ALGS = ['ES256', 'EdDSA'] as const;
