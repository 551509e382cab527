import { ProblemError } from '@poortwachter/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { RegistryDatabase } from '../storage/database.ts';

export type RegistryDb = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>;

/**
 * Raises the directory serial and records the change, inside the caller's transaction, so that a
 * change and its serial are committed together or not at all. Returns the new serial.
 */
export async function recordChange(
  trx: Transaction<RegistryDatabase>,
  change: { entity: string; entityId: string; action: string; record: unknown; at: string },
): Promise<number> {
  const updated = await trx
    .updateTable('directory_state')
    .set((eb) => ({ serial: eb('serial', '+', 1), changed_at: change.at }))
    .where('id', '=', 1)
    .returning('serial')
    .executeTakeFirst();
  let serial = updated?.serial;
  if (serial === undefined) {
    serial = 1;
    await trx.insertInto('directory_state').values({ id: 1, serial, changed_at: change.at }).execute();
  }
  await trx
    .insertInto('registry_changes')
    .values({
      serial,
      changed_at: change.at,
      entity: change.entity,
      entity_id: change.entityId,
      action: change.action,
      record: JSON.stringify(change.record),
    })
    .execute();
  return serial;
}

/** The current serial and when it last changed (0 for an empty registry). */
export async function currentSerial(db: RegistryDb): Promise<{ serial: number; changedAt: string | null }> {
  const row = await db
    .selectFrom('directory_state')
    .select(['serial', 'changed_at'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return { serial: row ? Number(row.serial) : 0, changedAt: row?.changed_at ?? null };
}

/** The change history, oldest first, optionally for one entity. */
export async function listChanges(
  db: RegistryDb,
  filter: { entity?: string; entityId?: string; afterSerial?: number },
) {
  let query = db.selectFrom('registry_changes').selectAll().orderBy('serial');
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.afterSerial !== undefined) query = query.where('serial', '>', filter.afterSerial);
  const rows = await query.limit(1000).execute();
  return rows.map((r) => ({
    serial: Number(r.serial),
    changedAt: r.changed_at,
    entity: r.entity,
    entityId: r.entity_id,
    action: r.action,
    record: JSON.parse(r.record) as unknown,
  }));
}

/** Tables whose records are revoked by setting `revoked_at` (organisations and keys have their own rules). */
type RevocableTable = 'services' | 'grondslagen' | 'autorisaties' | 'identity_providers';

/**
 * Revokes one record from now: refuses a second revocation (409), sets `revoked_at`, and records the
 * change with its serial, in one transaction. Returns the record as it is afterwards.
 */
export async function revokeRecord<T extends { revokedAt: string | null }>(
  db: Kysely<RegistryDatabase>,
  spec: {
    table: RevocableTable;
    key: 'id' | 'issuer';
    id: string;
    entity: string;
    label: string;
    get: (db: RegistryDb, id: string) => Promise<T>;
  },
  now: Date,
): Promise<T> {
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const current = await spec.get(trx, spec.id);
    if (current.revokedAt) throw new ProblemError('conflict', `${spec.label} ${spec.id} is already revoked.`);
    // The four tables share these columns; Kysely cannot type a table chosen at run time.
    await trx
      .updateTable(spec.table)
      .set({ revoked_at: at, updated_at: at } as never)
      .where(spec.key as never, '=', spec.id as never)
      .execute();
    await recordChange(trx, {
      entity: spec.entity,
      entityId: spec.id,
      action: 'revoke',
      record: { revokedAt: at },
      at,
    });
  });
  return spec.get(db, spec.id);
}
