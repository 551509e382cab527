import type { Kysely } from 'kysely';

/**
 * Issue 14: an organisation names its privacy contact (whom a citizen asks about an access, and how to
 * ask for a correction) and the web origins of the pages it runs that may call the citizen endpoints
 * of the gateways from a browser (CORS). Existing organisations get neither: nothing is assumed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').addColumn('privacy_contact', 'text').execute();
  await db.schema
    .alterTable('organisations')
    .addColumn('web_origins', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').dropColumn('web_origins').execute();
  await db.schema.alterTable('organisations').dropColumn('privacy_contact').execute();
}
