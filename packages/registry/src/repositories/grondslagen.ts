import type { AvgBasis, Grondslag } from '@poortwachter/protocol';
import { ProblemError } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import { toInterval } from '../domain/time.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { GrondslagRow } from '../storage/tables/grondslag.table.ts';
import { type RegistryDb, recordChange, revokeRecord } from './changes.ts';

export interface GrondslagInput {
  title: string;
  lawName: string;
  article: string;
  bwbId: string;
  url: string;
  avgBasis: AvgBasis;
  validFrom?: string;
  validTo?: string | null;
}

const toGrondslag = (row: GrondslagRow): Grondslag => ({
  id: row.id,
  title: row.title,
  lawName: row.law_name,
  article: row.article,
  bwbId: row.bwb_id,
  url: row.url,
  avgBasis: row.avg_basis as AvgBasis,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  revokedAt: row.revoked_at,
});

export async function listGrondslagen(db: RegistryDb): Promise<Grondslag[]> {
  return (await db.selectFrom('grondslagen').selectAll().orderBy('id').execute()).map(toGrondslag);
}

export async function getGrondslag(db: RegistryDb, id: string): Promise<Grondslag> {
  const row = await db.selectFrom('grondslagen').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Grondslag ${id} does not exist.`);
  return toGrondslag(row);
}

function toColumns(input: GrondslagInput, now: Date) {
  // A grondslag without validFrom has been in force as long as we know: the law predates the registry.
  const interval = toInterval(input.validFrom ?? '1900-01-01T00:00:00.000Z', input.validTo, now);
  return {
    title: input.title,
    law_name: input.lawName,
    article: input.article,
    bwb_id: input.bwbId,
    url: input.url,
    avg_basis: input.avgBasis,
    valid_from: interval.from,
    valid_to: interval.to,
  };
}

export async function createGrondslag(
  db: Kysely<RegistryDatabase>,
  input: GrondslagInput & { id: string },
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const columns = toColumns(input, now);
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('grondslagen').select('id').where('id', '=', input.id).executeTakeFirst();
    if (exists) {
      throw new ProblemError('conflict', `Grondslag ${input.id} already exists.`, {
        invalidParams: [{ name: 'id', code: 'duplicate', reason: 'Deze grondslag bestaat al.' }],
      });
    }
    await trx
      .insertInto('grondslagen')
      .values({ id: input.id, ...columns, created_at: at, updated_at: at, revoked_at: null })
      .execute();
    // The change holds the record as stored (defaults applied), so history can be replayed as it was.
    await recordChange(trx, {
      entity: 'grondslag',
      entityId: input.id,
      action: 'create',
      actor,
      record: await getGrondslag(trx, input.id),
      at,
    });
  });
  return getGrondslag(db, input.id);
}

export async function updateGrondslag(
  db: Kysely<RegistryDatabase>,
  id: string,
  input: GrondslagInput,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const columns = toColumns(input, now);
  await db.transaction().execute(async (trx) => {
    await getGrondslag(trx, id);
    await trx
      .updateTable('grondslagen')
      .set({ ...columns, updated_at: at })
      .where('id', '=', id)
      .execute();
    await recordChange(trx, {
      entity: 'grondslag',
      entityId: id,
      action: 'update',
      actor,
      record: await getGrondslag(trx, id),
      at,
    });
  });
  return getGrondslag(db, id);
}

export function revokeGrondslag(db: Kysely<RegistryDatabase>, id: string, actor: Actor, now = new Date()) {
  return revokeRecord(
    db,
    { table: 'grondslagen', key: 'id', id, entity: 'grondslag', label: 'Grondslag', get: getGrondslag },
    actor,
    now,
  );
}
