import type { Selectable } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';

/** An application of the afnemer that may call the outway. */
export interface OutwayApplicationTable {
  id: string;
  name: string;
  /** Hex SHA-256 of the API key (keys are 256 random bits, so a fast hash is enough). */
  api_key_hash: string;
  /** JSON array of the verwerkingsactiviteit URIs the application may use. */
  processing_activities: string;
  /** The one it uses when it sends no `Processing-Activity` header (apps that cannot add headers). */
  default_processing_activity: string | null;
  /** Lower-case hex SHA-256 of the DER of its TLS client certificate, if it may use one. */
  certificate_sha256: string | null;
  created_at: number;
  revoked_at: number | null;
}
export type OutwayApplicationRow = Selectable<OutwayApplicationTable>;

/**
 * The outway's database: the gateway's log tables (its own access log, Merkle log, heads, refusals
 * and the nonces of signed reads of that log) plus its applications.
 */
export interface OutwayDatabase extends GatewayDatabase {
  outway_applications: OutwayApplicationTable;
}
