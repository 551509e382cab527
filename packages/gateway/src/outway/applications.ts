import { createHash, randomBytes } from 'node:crypto';
import { uuidv7 } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { OutwayDatabase } from './tables.ts';

/** An application as the outway decides with it. */
export interface Application {
  readonly id: string;
  readonly name: string;
  readonly processingActivities: readonly string[];
  readonly defaultProcessingActivity: string | null;
}

export interface NewApplication {
  readonly name: string;
  readonly processingActivities: readonly string[];
  readonly defaultProcessingActivity?: string | null;
  /** The SHA-256 fingerprint of its TLS client certificate (hex, colons allowed), if it uses one. */
  readonly certificateSha256?: string | null;
}

/** A certificate fingerprint as stored: lower-case hex without colons. */
export const normaliseFingerprint = (fingerprint: string) => fingerprint.replaceAll(':', '').toLowerCase();

const hashOf = (apiKey: string) => createHash('sha256').update(apiKey, 'utf8').digest('hex');

/**
 * Registers an application and returns its API key: the only time the key exists outside the
 * application, since the outway stores its hash.
 */
export async function registerApplication(
  db: Kysely<OutwayDatabase>,
  application: NewApplication,
  now = Date.now(),
): Promise<{ application: Application; apiKey: string }> {
  const apiKey = `pwk_${randomBytes(32).toString('base64url')}`;
  const id = uuidv7(now);
  const defaultActivity = application.defaultProcessingActivity ?? null;
  await db
    .insertInto('outway_applications')
    .values({
      id,
      name: application.name,
      api_key_hash: hashOf(apiKey),
      processing_activities: JSON.stringify(application.processingActivities),
      default_processing_activity: defaultActivity,
      certificate_sha256: application.certificateSha256 ? normaliseFingerprint(application.certificateSha256) : null,
      created_at: now,
      revoked_at: null,
    })
    .execute();
  return {
    application: {
      id,
      name: application.name,
      processingActivities: application.processingActivities,
      defaultProcessingActivity: defaultActivity,
    },
    apiKey,
  };
}

/** The application an API key belongs to (not revoked), if any. */
export const applicationByApiKey = (db: Kysely<OutwayDatabase>, apiKey: string) =>
  applicationWhere(db, 'api_key_hash', hashOf(apiKey));

/** The application a TLS client certificate (its SHA-256 fingerprint) belongs to (not revoked), if any. */
export const applicationByCertificate = (db: Kysely<OutwayDatabase>, fingerprint: string) =>
  applicationWhere(db, 'certificate_sha256', normaliseFingerprint(fingerprint));

async function applicationWhere(
  db: Kysely<OutwayDatabase>,
  column: 'api_key_hash' | 'certificate_sha256',
  value: string,
): Promise<Application | undefined> {
  const row = await db
    .selectFrom('outway_applications')
    .selectAll()
    .where(column, '=', value)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      name: row.name,
      processingActivities: JSON.parse(row.processing_activities) as string[],
      defaultProcessingActivity: row.default_processing_activity,
    }
  );
}

/** Every registered application (without key hashes), oldest first. */
export async function listApplications(db: Kysely<OutwayDatabase>) {
  const rows = await db.selectFrom('outway_applications').selectAll().orderBy('created_at').execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    processingActivities: JSON.parse(row.processing_activities) as string[],
    defaultProcessingActivity: row.default_processing_activity,
    certificateSha256: row.certificate_sha256,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)).toISOString(),
  }));
}

/** Revokes an application's key; its later calls are refused. Returns whether it existed. */
export async function revokeApplication(db: Kysely<OutwayDatabase>, id: string, now = Date.now()) {
  const result = await db
    .updateTable('outway_applications')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
