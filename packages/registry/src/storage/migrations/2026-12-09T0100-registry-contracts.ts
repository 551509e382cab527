import type { Quota } from '@poortwachter/protocol';
import { contentHash } from '@poortwachter/protocol/contracts';
import { type Kysely, type Migration, sql } from 'kysely';
import { contractContentOf } from '../../domain/contract-terms.ts';

/**
 * Issue 28: autorisaties are contracts both parties sign. The registry keeps each contract's content
 * (JSON, hashed over its canonical form) and every signature (compact JWS) the parties sent; an
 * organisation key may carry its certificate chain (`x5c`) and an endorsement by another key of its
 * organisation. Every unrevoked autorisatie becomes a proposed contract with the same terms (the
 * migration cannot sign: the parties accept it, the demo seed does for the demo). The autorisaties table
 * stays as it was, as history; nothing reads it any more.
 */
export function contractsMigration(groupId: string): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('contracts')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('proposed_at', 'text', (c) => c.notNull())
        .addColumn('proposed_by', 'varchar(20)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('contract_signatures')
        .addColumn('hash', 'text', (c) => c.notNull().references('contracts.hash'))
        .addColumn('oin', 'varchar(20)', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('accept', 'reject', 'revoke')`))
        .addColumn('signed_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('jws', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('contract_signatures_pk', ['hash', 'oin', 'type'])
        .execute();
      await db.schema.alterTable('organisation_keys').addColumn('x5c', 'text').execute();
      await db.schema.alterTable('organisation_keys').addColumn('endorsement', 'text').execute();
      await autorisatiesToContracts(db, groupId, new Date());
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('organisation_keys').dropColumn('endorsement').execute();
      await db.schema.alterTable('organisation_keys').dropColumn('x5c').execute();
      await db.schema.dropTable('contract_signatures').execute();
      await db.schema.dropTable('contracts').execute();
    },
  };
}

interface AutorisatieRow {
  id: string;
  afnemer_oin: string;
  service_id: string;
  processing_activity_id: string;
  fields: string;
  search_types: string;
  valid_from: string;
  valid_to: string | null;
  quota: string | null;
  provider_oin: string;
}

/**
 * Each unrevoked autorisatie as a proposed contract under the activity's current version and its first
 * grondslag, recorded in the change log with its own serial (gateways fetch the directory again). A
 * revoked one stays revoked: it becomes no proposal. One whose activity is gone cannot be stated as a
 * contract and stays behind in the autorisaties table.
 */
async function autorisatiesToContracts(db: Kysely<unknown>, groupId: string, now: Date): Promise<void> {
  const rows = await sql<AutorisatieRow>`
    select a.id, a.afnemer_oin, a.service_id, a.processing_activity_id, a.fields, a.search_types,
           a.valid_from, a.valid_to, a.quota, s.provider_oin
    from autorisaties a join services s on s.id = a.service_id
    where a.revoked_at is null
    order by a.id`.execute(db);
  const at = now.toISOString();
  for (const row of rows.rows) {
    const version = (
      await sql<{ version: number; grondslag_ids: string }>`
        select version, grondslag_ids from processing_activity_versions
        where id = ${row.processing_activity_id} order by version desc limit 1`.execute(db)
    ).rows[0];
    const grondslagId = version ? (JSON.parse(version.grondslag_ids) as string[])[0] : undefined;
    if (!version || grondslagId === undefined) continue;
    const content = contractContentOf(
      {
        afnemerOin: row.afnemer_oin,
        serviceId: row.service_id,
        providerOin: row.provider_oin,
        processingActivityId: row.processing_activity_id,
        processingActivityVersion: Number(version.version),
        grondslagId,
        fields: JSON.parse(row.fields) as string[],
        searchTypes: JSON.parse(row.search_types) as string[],
        validFrom: row.valid_from,
        validTo: row.valid_to,
        quota: row.quota === null ? null : (JSON.parse(row.quota) as Quota),
      },
      { groupId, now },
    );
    const hash = contentHash(content);
    await sql`insert into contracts (hash, content, proposed_at, proposed_by)
      values (${hash}, ${JSON.stringify(content)}, ${at}, ${row.afnemer_oin})`.execute(db);
    const state = (await sql<{ serial: number }>`select serial from directory_state where id = 1`.execute(db)).rows[0];
    const serial = Number(state?.serial ?? 0) + 1;
    if (state) await sql`update directory_state set serial = ${serial}, changed_at = ${at} where id = 1`.execute(db);
    else await sql`insert into directory_state (id, serial, changed_at) values (1, ${serial}, ${at})`.execute(db);
    await sql`insert into registry_changes (serial, changed_at, entity, entity_id, action, record)
      values (${serial}, ${at}, 'contract', ${hash}, 'migrate',
              ${JSON.stringify({ hash, content, autorisatieId: row.id })})`.execute(db);
  }
}
