import type { Kysely } from 'kysely';

/**
 * Issue 27: a bronhouder grants an afnemer a quota at its service's gateways (requests per second and
 * burst, as JSON) on the autorisatie. Existing autorisaties get none: the gateways' default applies.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('autorisaties').addColumn('quota', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('autorisaties').dropColumn('quota').execute();
}
