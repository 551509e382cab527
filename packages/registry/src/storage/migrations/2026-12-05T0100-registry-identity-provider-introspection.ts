import type { Kysely } from 'kysely';

/**
 * Issue 25: an identity provider may name its token introspection endpoint (RFC 7662), which gateways
 * ask whether a citizen's token is still active (not logged out). Existing providers get none: their
 * tokens stay good until they expire, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_providers').addColumn('introspection_endpoint', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_providers').dropColumn('introspection_endpoint').execute();
}
