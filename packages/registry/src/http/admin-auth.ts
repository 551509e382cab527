import { ProblemError } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { Kysely } from 'kysely';
import { matchesAnyHash } from '../domain/admin-token.ts';
import type { RegistryDatabase } from '../storage/database.ts';

/**
 * Requires `Authorization: Bearer <admin token>` on changing requests. The token is compared, in
 * constant time, against the SHA-256 hashes in `admin_tokens`; the registry never stores the token.
 */
export const requireAdmin = (db: Kysely<RegistryDatabase>) =>
  createMiddleware(async function requireAdmin(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const unauthenticated = (detail: string) =>
      new ProblemError('authentication', detail, {
        headers: { 'www-authenticate': 'Bearer realm="poortwachter-registry"' },
      });
    if (!match?.[1]) throw unauthenticated('Changing the registry needs the admin token (Authorization: Bearer …).');
    const hashes = (await db.selectFrom('admin_tokens').select('token_hash').execute()).map((r) => r.token_hash);
    if (!matchesAnyHash(match[1], hashes)) throw unauthenticated('The admin token is not valid.');
    await next();
  });
