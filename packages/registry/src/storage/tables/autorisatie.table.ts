import type { Selectable } from 'kysely';

/** What one afnemer may ask of one service under one verwerkingsactiviteit, and when. */
export interface AutorisatieTable {
  id: string;
  afnemer_oin: string;
  service_id: string;
  processing_activity_id: string;
  fields: string;
  search_types: string;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
  /** The afnemer's quota at the service's gateways (JSON `{ requestsPerSecond, burst }`); null: the default. */
  quota: string | null;
}
export type AutorisatieRow = Selectable<AutorisatieTable>;
