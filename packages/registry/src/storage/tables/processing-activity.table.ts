import type { Selectable } from 'kysely';

/**
 * One version of a verwerkingsactiviteit. Versions are never updated: a change inserts version n+1
 * with its own `valid_from`, so "what was in force on that date" stays answerable.
 */
export interface ProcessingActivityVersionTable {
  id: string;
  version: number;
  name: string;
  doel: string;
  grondslag_ids: string;
  responsible_oin: string;
  bewaartermijn: string;
  vertrouwelijkheid: 'normaal' | 'vertrouwelijk' | 'opgeheven';
  valid_from: string;
  revoked_at: string | null;
  recorded_at: string;
}
export type ProcessingActivityVersionRow = Selectable<ProcessingActivityVersionTable>;
