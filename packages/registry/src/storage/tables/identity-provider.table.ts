import type { Selectable } from 'kysely';

/** An identity provider whose citizen tokens gateways accept (DigiD or a stand-in). */
export interface IdentityProviderTable {
  issuer: string;
  name: string;
  jwks: string;
  audience: string;
  minimum_assurance: string;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}
export type IdentityProviderRow = Selectable<IdentityProviderTable>;
