import type { Kysely } from 'kysely';

/**
 * Notices (issue 29): a citizen's subscription to an e-mail when new accesses to their data are
 * logged, kept by the keyed pseudonym of their BSN (never the BSN). `organisaties` is a JSON array of
 * OINs or null for every organisation. `seen_until` is the log time up to which records were taken
 * into account, `last_sent` when the last notice went out: both move only when nothing is left to
 * send or a mail was accepted, so a failed send is retried on the next run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notice_subscriptions')
    .addColumn('data_subject_id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('frequentie', 'text', (c) => c.notNull())
    .addColumn('organisaties', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('seen_until', 'bigint', (c) => c.notNull())
    .addColumn('last_sent', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notice_subscriptions').execute();
}
