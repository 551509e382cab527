import type { Kysely } from 'kysely';

/**
 * Terugmeldingen (issue 29): a citizen's correctieverzoek or an afnemer's terugmelding about this
 * inway's data, kept by the bronhouder until the terugmelding activity's bewaartermijn has passed since
 * it became final (`purge_after`, set then). `body` is the parsed TerugMelding: personal data, read
 * only by the citizen it is about, the afnemer that filed it and the bronhouder. Each status it went
 * through is a row of `terugmelding_statussen` (its access record is in the log, which stays).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('terugmeldingen')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('data_subject_id', 'text', (c) => c.notNull())
    .addColumn('melder_soort', 'text', (c) => c.notNull())
    .addColumn('melder_oin', 'text')
    .addColumn('processing_activity_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('uitkomst', 'text')
    .addColumn('bericht', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('purge_after', 'bigint')
    .execute();
  await db.schema
    .createIndex('terugmeldingen_subject')
    .on('terugmeldingen')
    .columns(['data_subject_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('terugmeldingen_melder')
    .on('terugmeldingen')
    .columns(['melder_oin', 'created_at'])
    .execute();
  await db.schema.createIndex('terugmeldingen_status').on('terugmeldingen').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('terugmeldingen_purge').on('terugmeldingen').column('purge_after').execute();
  await db.schema
    .createTable('terugmelding_statussen')
    .addColumn('terugmelding_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('by_oin', 'text')
    .execute();
  await db.schema
    .createIndex('terugmelding_statussen_melding')
    .on('terugmelding_statussen')
    .columns(['terugmelding_id', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('terugmelding_statussen').execute();
  await db.schema.dropTable('terugmeldingen').execute();
}
