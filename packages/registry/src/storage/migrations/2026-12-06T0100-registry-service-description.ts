import type { Kysely } from 'kysely';

/**
 * Issue 26: a service carries its description (operations, parameters, links, relations, subjects) and
 * the OpenAPI document the registry checked it against, both JSON. Existing services get neither: a
 * `brp-personen-v2` service needs none, its profile knows its operations.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').addColumn('description', 'text').execute();
  await db.schema.alterTable('services').addColumn('open_api', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('open_api').execute();
  await db.schema.alterTable('services').dropColumn('description').execute();
}
