import type { Insertable, Selectable } from 'kysely';

/** An organisation, identified by its OIN. `roles` is a JSON array of roles. */
export interface OrganisationTable {
  oin: string;
  name: string;
  kind: string;
  roles: string;
  /** JSON of the PrivacyContact, or null when none is registered. */
  privacy_contact: string | null;
  /** JSON array of web origins (`https://mijn.example.nl`) allowed to call citizen endpoints from a browser. */
  web_origins: string;
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
  /** JSON array of base64 DER certificates, leaf first (RFC 7517 `x5c`), or null. */
  x5c: string | null;
  /** Compact JWS by another key of the organisation endorsing this one (key continuity), or null. */
  endorsement: string | null;
  created_at: string;
}
export type OrganisationKeyRow = Selectable<OrganisationKeyTable>;
