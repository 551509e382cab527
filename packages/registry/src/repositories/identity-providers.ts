import type { AssuranceLevel, IdentityProvider, PublicJwk } from '@poortwachter/protocol';
import { invalidField, ProblemError } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../domain/actor.ts';
import { toPublicJwk } from '../domain/public-jwk.ts';
import { isHttpsOrLocal } from '../domain/web-address.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import type { IdentityProviderRow } from '../storage/tables/identity-provider.table.ts';
import { type RegistryDb, recordChange, revokeRecord } from './changes.ts';

export interface IdentityProviderInput {
  name: string;
  jwks: { keys: Record<string, unknown>[] };
  audience: string;
  minimumAssurance: AssuranceLevel;
  /** On update: left out keeps what is registered; null removes it. */
  introspectionEndpoint?: string | null;
}

const toIdentityProvider = (row: IdentityProviderRow): IdentityProvider => ({
  issuer: row.issuer,
  name: row.name,
  jwks: JSON.parse(row.jwks) as { keys: PublicJwk[] },
  audience: row.audience,
  minimumAssurance: row.minimum_assurance as AssuranceLevel,
  ...(row.introspection_endpoint === null ? {} : { introspectionEndpoint: row.introspection_endpoint }),
  revokedAt: row.revoked_at,
});

/**
 * An endpoint gateways send citizens' tokens to: https, or http on this machine (development), with
 * no credentials or fragment in the URL.
 */
function tokenEndpoint(value: string, name: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url) throw invalidField(name, 'Geef een volledige URL, zoals https://inlog.example.nl/introspect.', 'url');
  if (!isHttpsOrLocal(url)) {
    throw invalidField(name, 'Gebruik https (http alleen voor localhost).', 'url');
  }
  if (url.username || url.password || url.hash) {
    throw invalidField(name, 'Zonder gebruikersnaam, wachtwoord of #-deel.', 'url');
  }
  return url.href;
}

export async function listIdentityProviders(db: RegistryDb): Promise<IdentityProvider[]> {
  return (await db.selectFrom('identity_providers').selectAll().orderBy('issuer').execute()).map(toIdentityProvider);
}

export async function getIdentityProvider(db: RegistryDb, issuer: string): Promise<IdentityProvider> {
  const row = await db.selectFrom('identity_providers').selectAll().where('issuer', '=', issuer).executeTakeFirst();
  if (!row) throw new ProblemError('notFound', `Identity provider ${issuer} is not registered.`);
  return toIdentityProvider(row);
}

async function toColumns(input: IdentityProviderInput) {
  const keys: PublicJwk[] = [];
  for (const [index, jwk] of input.jwks.keys.entries()) keys.push(await toPublicJwk(jwk, `jwks.keys[${index}]`));
  return {
    name: input.name,
    jwks: JSON.stringify({ keys }),
    audience: input.audience,
    minimum_assurance: input.minimumAssurance,
    ...(input.introspectionEndpoint === undefined
      ? {}
      : {
          introspection_endpoint:
            input.introspectionEndpoint === null
              ? null
              : tokenEndpoint(input.introspectionEndpoint, 'introspectionEndpoint'),
        }),
  };
}

export async function createIdentityProvider(
  db: Kysely<RegistryDatabase>,
  input: IdentityProviderInput & { issuer: string },
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const columns = await toColumns(input);
  await db.transaction().execute(async (trx) => {
    const exists = await trx
      .selectFrom('identity_providers')
      .select('issuer')
      .where('issuer', '=', input.issuer)
      .executeTakeFirst();
    if (exists) {
      throw new ProblemError('conflict', `Identity provider ${input.issuer} already exists.`, {
        invalidParams: [{ name: 'issuer', code: 'duplicate', reason: 'Deze identity provider bestaat al.' }],
      });
    }
    await trx
      .insertInto('identity_providers')
      .values({
        issuer: input.issuer,
        introspection_endpoint: null,
        ...columns,
        created_at: at,
        updated_at: at,
        revoked_at: null,
      })
      .execute();
    await recordChange(trx, {
      entity: 'identity-provider',
      entityId: input.issuer,
      action: 'create',
      actor,
      record: { issuer: input.issuer, ...columns },
      at,
    });
  });
  return getIdentityProvider(db, input.issuer);
}

export async function updateIdentityProvider(
  db: Kysely<RegistryDatabase>,
  issuer: string,
  input: IdentityProviderInput,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  const columns = await toColumns(input);
  await db.transaction().execute(async (trx) => {
    await getIdentityProvider(trx, issuer);
    await trx
      .updateTable('identity_providers')
      .set({ ...columns, updated_at: at })
      .where('issuer', '=', issuer)
      .execute();
    await recordChange(trx, {
      entity: 'identity-provider',
      entityId: issuer,
      action: 'update',
      actor,
      record: { issuer, ...columns },
      at,
    });
  });
  return getIdentityProvider(db, issuer);
}

export function revokeIdentityProvider(db: Kysely<RegistryDatabase>, issuer: string, actor: Actor, now = new Date()) {
  return revokeRecord(
    db,
    {
      table: 'identity_providers',
      key: 'issuer',
      id: issuer,
      entity: 'identity-provider',
      label: 'Identity provider',
      get: getIdentityProvider,
    },
    actor,
    now,
  );
}
