import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { generateAdminToken, hashAdminToken } from '../domain/admin-token.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { writeSecretFile } from './key-files.ts';

/**
 * On first start (no admin token in the database), makes one, writes it once to `path` (0600) and
 * stores only its hash. Returns whether a token was made.
 */
export async function ensureAdminToken(db: Kysely<RegistryDatabase>, path: string): Promise<boolean> {
  const existing = await db.selectFrom('admin_tokens').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  const token = generateAdminToken();
  writeSecretFile(path, `${token}\n`);
  await db
    .insertInto('admin_tokens')
    .values({ id: randomUUID(), token_hash: hashAdminToken(token), created_at: new Date().toISOString() })
    .execute();
  return true;
}
