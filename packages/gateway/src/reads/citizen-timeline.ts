import { versionAt } from '@poortwachter/registry/directory';
import type { CitizenAccess } from '@poortwachter/sdk';
import type { Kysely } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { encodeCursor, type Position } from './cursor.ts';

/** One access as the citizen sees it: the sdk's definition, shared by gateway and clients. */
export type { CitizenAccess };

export interface TimelinePage {
  readonly verwerkingen: readonly CitizenAccess[];
  /** Pass as `cursor` for the next (older) page; null when this was the last. */
  readonly volgende: string | null;
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
  const hidden = confidentialActivities(directory, query.now);
  let select = db
    .selectFrom('access_log')
    .select([
      'id',
      'start_time',
      'processing_activity_id',
      'processing_activity_version',
      'foreign_processor',
      'transaction_id',
      'released_fields',
    ])
    .where('data_subject_id', '=', query.subject)
    .where('start_time', '>=', query.from)
    .where('start_time', '<', query.to);
  if (hidden.length > 0) select = select.where('processing_activity_id', 'not in', hidden);
  const after = query.after;
  if (after) {
    select = select
      .where('start_time', '<=', after.t)
      .where((eb) => eb(eb.refTuple('start_time', 'id'), '<', eb.tuple(after.t, after.id)));
  }
  const rows = await select
    .orderBy('start_time', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    verwerkingen: page.map((row) => toCitizenAccess(row, directory, serviceId)),
    volgende: rows.length > query.limit && last ? encodeCursor({ t: Number(last.start_time), id: last.id }) : null,
  };
}

function toCitizenAccess(
  row: {
    id: string;
    start_time: number;
    processing_activity_id: string;
    processing_activity_version: number;
    foreign_processor: string;
    transaction_id: string;
    released_fields: string;
  },
  directory: DirectoryIndex,
  serviceId: string,
): CitizenAccess {
  const organisation = directory.organisations.get(row.foreign_processor);
  const activity = directory.processingActivities.get(row.processing_activity_id);
  // The version the access was made under: its purpose and grondslagen are what applied then.
  const version =
    activity?.versions.find((v) => v.version === Number(row.processing_activity_version)) ?? activity?.versions.at(-1);
  const catalogue = directory.services.get(serviceId)?.fieldCatalogue ?? [];
  const groups = new Map<string, string[]>();
  for (const path of JSON.parse(row.released_fields) as string[]) {
    const field = catalogue.find((f) => f.path === path);
    const soort = field?.group ?? 'overige gegevens';
    groups.set(soort, [...(groups.get(soort) ?? []), field?.label ?? path]);
  }
  return {
    id: row.id,
    tijdstip: new Date(Number(row.start_time)).toISOString(),
    organisatie: { naam: organisation?.name ?? 'onbekende organisatie', oin: row.foreign_processor },
    doel: version?.doel ?? 'onbekend doel',
    verwerking: version?.name ?? row.processing_activity_id,
    grondslagen: (version?.grondslagIds ?? []).flatMap((id) => {
      const g = directory.grondslagen.get(id);
      return g ? [{ omschrijving: g.title, wet: g.lawName, artikel: g.article, link: g.url }] : [];
    }),
    gegevens: [...groups].map(([soort, velden]) => ({ soort, velden })),
    transactieId: row.transaction_id,
    dienst: serviceId,
  };
}
