import type { Selectable } from 'kysely';

/** An identity provider whose citizen tokens gateways accept (DigiD or a stand-in). */
export interface IdentityProviderTable {
  issuer: string;
  name: string;
  jwks: string;
  audience: string;
  minimum_assurance: string;
  /** RFC 7662 introspection endpoint, or null: tokens are then good until they expire. */
  introspection_endpoint: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}
export type IdentityProviderRow = Selectable<IdentityProviderTable>;
