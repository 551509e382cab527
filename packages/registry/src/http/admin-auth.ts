import { ProblemError } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Kysely } from 'kysely';
import { type Actor, OPERATOR } from '../domain/actor.ts';
import { matchesAnyHash } from '../domain/admin-token.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { type OrganisationSignatureOptions, verifyOrganisationRequest } from './organisation-signature.ts';

/** What the change authentication adds to the context: who is changing the registry. */
export interface ChangeEnv {
  Variables: { actor: Actor };
}

/**
 * Checks `Authorization: Bearer <admin token>`: the one place the token is checked. The token is
 * compared, in constant time, against the SHA-256 hashes in `admin_tokens`; the registry never stores
 * the token. Throws a 401 problem when it does not match.
 */
export async function requireAdmin(c: Context, db: Kysely<RegistryDatabase>): Promise<typeof OPERATOR> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  const unauthenticated = (detail: string) =>
    new ProblemError('authentication', detail, {
      headers: { 'www-authenticate': 'Bearer realm="poortwachter-registry"' },
    });
  if (!match?.[1]) throw unauthenticated('The Authorization header is not `Bearer <admin token>`.');
  const hashes = (await db.selectFrom('admin_tokens').select('token_hash').execute()).map((r) => r.token_hash);
  if (!matchesAnyHash(match[1], hashes)) throw unauthenticated('The admin token is not valid.');
  return OPERATOR;
}

/**
 * Authenticates a change to the registry and sets `c.var.actor`: the operator by the admin token, or
 * an organisation by a request signed with its key (HTTP Message Signatures as the gateway protocol).
 * What each actor may change is decided per record by `authoriseChange`.
 */
export const authenticateChange = (db: Kysely<RegistryDatabase>, options: OrganisationSignatureOptions) =>
  createMiddleware<ChangeEnv>(async function authenticateChange(c, next) {
    if (c.req.header('authorization') !== undefined) c.set('actor', await requireAdmin(c, db));
    else if (c.req.header('signature') !== undefined || c.req.header('signature-input') !== undefined)
      c.set('actor', await verifyOrganisationRequest(c, db, options));
    else
      throw new ProblemError(
        'authentication',
        'Changing the registry needs a request signed with your organisation key (Signature, RFC 9421), or the admin token for onboarding (Authorization: Bearer …).',
        {
          headers: {
            'www-authenticate': 'Signature realm="poortwachter-registry", Bearer realm="poortwachter-registry"',
          },
        },
      );
    await next();
  });
