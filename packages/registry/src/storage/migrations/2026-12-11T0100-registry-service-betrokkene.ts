import type { Kysely } from 'kysely';

/**
 * Issue 29: a service says what it offers the citizen the data is about (JSON: the verwerkingsactiviteiten
 * of their own inzage and of terugmeldingen, and the operation that finds their data). Existing services
 * offer nothing until their bronhouder says so.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').addColumn('betrokkene', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('betrokkene').execute();
}
