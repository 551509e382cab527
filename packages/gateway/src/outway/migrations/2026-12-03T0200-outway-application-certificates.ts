import type { Kysely } from 'kysely';

/** An application may also authenticate with a TLS client certificate: the SHA-256 of its DER. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outway_applications').addColumn('certificate_sha256', 'text').execute();
  await db.schema
    .createIndex('outway_applications_certificate')
    .on('outway_applications')
    .column('certificate_sha256')
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outway_applications_certificate').execute();
  await db.schema.alterTable('outway_applications').dropColumn('certificate_sha256').execute();
}
