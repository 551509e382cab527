import { versionAt } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GatewayDatabase } from '../storage/tables.ts';

/**
 * The processing activities whose records a citizen may not see now: those whose version in force
 * now is `vertrouwelijk`. Decided at read time from the registry, so lifting confidentiality (a new
 * version, `opgeheven`) shows the old records without rewriting any.
 */
export function confidentialActivities(directory: DirectoryIndex, now: number): string[] {
  const at = new Date(now).toISOString();
  return [...directory.processingActivities.values()]
    .filter((a) => versionAt(a, at)?.vertrouwelijkheid === 'vertrouwelijk')
    .map((a) => a.id);
}

/**
 * The one way a citizen's read reaches the access log: the records of this data subject (the keyed
 * pseudonyms of the BSN in their token, under the current and every previous log key) that are not under a verwerkingsactiviteit that is
 * confidential now. The timeline, the proof of one record and anything a citizen reads later start
 * here, so that no path shows what another hides.
 *
 * @example
 * const row = await citizenRecords(db, directory, [pseudonym], Date.now()).select(['id', 'record']).where('id', '=', id).executeTakeFirst();
 */
export function citizenRecords(
  db: Kysely<GatewayDatabase>,
  directory: DirectoryIndex,
  subjects: readonly string[],
  now: number,
) {
  const hidden = confidentialActivities(directory, now);
  const own = db.selectFrom('access_log').where('data_subject_id', 'in', subjects);
  return hidden.length > 0 ? own.where('processing_activity_id', 'not in', hidden) : own;
}
