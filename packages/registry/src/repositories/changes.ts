import { changeLeafHash, ProblemError, type RegistryChangeEntry, toBase64 } from '@poortwachter/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import type { RegistryDatabase } from '../storage/database.ts';

export type RegistryDb = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>;

/**
 * Raises the directory serial and records the change with its actor and its leaf in the verifiable
 * change log, inside the caller's transaction, so that a change, its serial and its leaf are committed
 * together or not at all. Returns the new serial.
 */
export async function recordChange(
  trx: Transaction<RegistryDatabase>,
  change: { entity: string; entityId: string; action: string; actor: Actor; record: unknown; at: string },
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
  // The leaf hashes the record as it reads back from its JSON text, as every reader of the log sees it.
  const record = JSON.stringify(change.record);
  const entry: RegistryChangeEntry = {
    serial,
    changedAt: change.at,
    entity: change.entity,
    entityId: change.entityId,
    action: change.action,
    actor: change.actor,
    record: JSON.parse(record) as unknown,
  };
  await trx
    .insertInto('registry_changes')
    .values({
      serial,
      changed_at: change.at,
      entity: change.entity,
      entity_id: change.entityId,
      action: change.action,
      actor: change.actor,
      record,
      leaf_hash: toBase64(changeLeafHash(entry)),
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
): Promise<RegistryChangeEntry[]> {
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
    actor: r.actor,
    record: JSON.parse(r.record) as unknown,
  }));
}

/** The change log's leaf hashes, in serial order (the leaf index is the position, from 0). */
export async function changeLeaves(db: RegistryDb): Promise<Uint8Array[]> {
  const rows = await db.selectFrom('registry_changes').select(['serial', 'leaf_hash']).orderBy('serial').execute();
  return rows.map((r) => {
    if (!r.leaf_hash) throw new Error(`registry change ${r.serial} has no leaf`);
    return new Uint8Array(Buffer.from(r.leaf_hash, 'base64'));
  });
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
  actor: Actor,
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
      actor,
      record: { revokedAt: at },
      at,
    });
  });
  return spec.get(db, spec.id);
}
