import { type CitizenAccess, citizenView, type LoggedAccess } from '@poortwachter/sdk';
import type { Kysely } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { citizenRecords, confidentialActivities } from './citizen-records.ts';
import { newestFirstPage, type Position } from './cursor.ts';

/** One access as the citizen sees it: the sdk's definition, shared by gateway and clients. */
export type { CitizenAccess };

export interface TimelinePage {
  readonly verwerkingen: readonly CitizenAccess[];
  /** Pass as `cursor` for the next (older) page; null when this was the last. */
  readonly volgende: string | null;
  /**
   * How many of the citizen's records of this period the retention purge removed (their bewaartermijn
   * had passed), so that a shorter timeline is explained, not silent; on every page, the same number.
   */
  readonly verwijderd: { readonly aantal: number };
}

export interface TimelineQuery {
  readonly subject: string;
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly after?: Position;
  readonly now: number;
}

/**
 * One page of a citizen's timeline, newest first, by the keyed pseudonym of their BSN. The keyset
 * cursor (start_time, id) walks the index (data_subject_id, start_time, id): a page costs the same
 * at the first record as at the ten-thousandth, and records that arrive meanwhile are newer than any
 * cursor, so a walk neither skips nor repeats a record.
 */
export async function citizenTimeline(
  db: Kysely<GatewayDatabase>,
  directory: DirectoryIndex,
  serviceId: string,
  query: TimelineQuery,
): Promise<TimelinePage> {
  const select = citizenRecords(db, directory, query.subject, query.now)
    .select([
      'id',
      'start_time',
      'foreign_processor',
      'processing_activity_id',
      'processing_activity_version',
      'transaction_id',
      'released_fields',
    ])
    .where('start_time', '>=', query.from)
    .where('start_time', '<', query.to);
  const { rows: page, next } = await newestFirstPage(select, query.after, query.limit);
  // What retention removed, under the same rule as what is shown: nothing of a confidential activity.
  const hidden = confidentialActivities(directory, query.now);
  let purged = db
    .selectFrom('access_log_purged')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('data_subject_id', '=', query.subject)
    .where('start_time', '>=', query.from)
    .where('start_time', '<', query.to);
  if (hidden.length > 0) purged = purged.where('processing_activity_id', 'not in', hidden);
  const removed = Number((await purged.executeTakeFirst())?.n ?? 0);
  return {
    // From the index's copies of the record's fields; the citizen's client recomputes the view from the
    // proven record itself, so a copy that differs from the logged record is caught there.
    verwerkingen: page.map((row) => citizenView(loggedAccessOf(row), directory.snapshot, serviceId)),
    volgende: next,
    verwijderd: { aantal: removed },
  };
}

/** The record's fields the citizen's view needs, from the columns that copy them. */
function loggedAccessOf(row: {
  id: string;
  start_time: number;
  foreign_processor: string;
  processing_activity_id: string;
  processing_activity_version: number;
  transaction_id: string;
  released_fields: string;
}): LoggedAccess {
  return {
    id: row.id,
    record: {
      start_time: Number(row.start_time),
      attributes: {
        'dpl.core.foreign_operation.processor': row.foreign_processor,
        'dpl.core.processing_activity_id': row.processing_activity_id,
        'poortwachter.processing_activity_version': Number(row.processing_activity_version),
        'poortwachter.fsc_transaction_id': row.transaction_id,
        'poortwachter.released_fields': JSON.parse(row.released_fields) as string[],
      },
    },
  };
}
