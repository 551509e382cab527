import type { Insertable, Selectable } from 'kysely';

/** An organisation, identified by its OIN. `roles` is a JSON array of roles. */
export interface OrganisationTable {
  oin: string;
  name: string;
  kind: string;
  roles: string;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}
export type OrganisationRow = Selectable<OrganisationTable>;
export type NewOrganisationRow = Insertable<OrganisationTable>;

/** A public key of an organisation, as a JWK; `kid` is its RFC 7638 thumbprint. */
export interface OrganisationKeyTable {
  kid: string;
  oin: string;
  jwk: string;
  status: 'active' | 'revoked';
  revoked_at: string | null;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
}
export type OrganisationKeyRow = Selectable<OrganisationKeyTable>;
