import { changeLeafHash, toBase64 } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';

/**
 * Issue 28: every change names its actor (`operator` or the OIN that signed the request) and is a leaf
 * of the registry's verifiable change log (`leaf_hash`, RFC 9162 over the change's canonical JSON).
 * Before this migration only the admin token could change the registry, so existing changes were the
 * operator's; their leaves are computed here. Organisation-signed requests claim their nonces in
 * `registry_request_nonces`, so that a replay is refused by every instance on the database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('registry_changes')
    .addColumn('actor', 'text', (c) => c.notNull().defaultTo('operator'))
    .execute();
  await db.schema.alterTable('registry_changes').addColumn('leaf_hash', 'text').execute();
  const changes = db as unknown as Kysely<{
    registry_changes: {
      serial: number;
      changed_at: string;
      entity: string;
      entity_id: string;
      action: string;
      actor: string;
      record: string;
      leaf_hash: string | null;
    };
  }>;
  const rows = await changes.selectFrom('registry_changes').selectAll().orderBy('serial').execute();
  for (const row of rows) {
    const leaf = toBase64(
      changeLeafHash({
        serial: Number(row.serial),
        changedAt: row.changed_at,
        entity: row.entity,
        entityId: row.entity_id,
        action: row.action,
        actor: row.actor,
        record: JSON.parse(row.record) as unknown,
      }),
    );
    await changes.updateTable('registry_changes').set({ leaf_hash: leaf }).where('serial', '=', row.serial).execute();
  }
  await db.schema
    .createTable('registry_request_nonces')
    .addColumn('keyid', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_request_nonces_pk', ['keyid', 'nonce'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('registry_request_nonces').execute();
  await db.schema.alterTable('registry_changes').dropColumn('leaf_hash').execute();
  await db.schema.alterTable('registry_changes').dropColumn('actor').execute();
}
