import type { Selectable } from 'kysely';

/** A legal basis: a law and article, with the AVG art. 6(1) letter. */
export interface GrondslagTable {
  id: string;
  title: string;
  law_name: string;
  article: string;
  bwb_id: string;
  url: string;
  avg_basis: string;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}
export type GrondslagRow = Selectable<GrondslagTable>;
