import { generateKeyPairSync } from 'node:crypto';
import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import { DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoRegistry } from '../server/seed-demo.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { registryMigrations, runMigrations } from '../storage/migrate.ts';
import { DIALECTS, openTestDatabase, startTestRegistry, type TestRegistry } from '../testing/index.ts';

interface Problem {
  invalidParams?: { name: string }[];
}

/** An identity provider's introspection endpoint (issue 25): checked, kept, published, migrated. */
for (const dialect of DIALECTS) {
  describe(`identity provider introspection endpoint (${dialect})`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect);
    });
    afterAll(async () => registry.close());

    const jwk = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) };
    const base = {
      name: 'Testinlog',
      jwks: { keys: [jwk] },
      audience: 'poortwachter-inzage',
      minimumAssurance: 'midden',
    };
    const issuer = 'https://inlog.example.nl';
    const path = `/v1/identity-providers/${encodeURIComponent(issuer)}`;

    it('refuses an endpoint that would send tokens in the clear or is no URL, naming it', async () => {
      for (const introspectionEndpoint of [
        'http://inlog.example.nl/introspect',
        'geen url',
        'https://u:p@x.example/',
      ]) {
        const res = await registry.admin('POST', '/v1/identity-providers', { issuer, ...base, introspectionEndpoint });
        expect(res.status, introspectionEndpoint).toBe(400);
        expect(((await res.json()) as Problem).invalidParams?.map((p) => p.name)).toEqual(['introspectionEndpoint']);
      }
    });

    it('keeps it, publishes it in the signed directory, keeps it on an update that leaves it out, removes it on null', async () => {
      const introspectionEndpoint = 'https://inlog.example.nl/oauth/introspect';
      const created = await registry.admin('POST', '/v1/identity-providers', {
        issuer,
        ...base,
        introspectionEndpoint,
      });
      expect(created.status, await created.clone().text()).toBe(201);
      expect(await created.json()).toMatchObject({ issuer, introspectionEndpoint });
      const published = async () => {
        const snapshot = await verifyDirectorySnapshot(
          await (await registry.app.request('/v1/directory')).text(),
          registry.registryPublicKey,
        );
        return snapshot.identity_providers.find((p) => p.issuer === issuer);
      };
      expect((await published())?.introspectionEndpoint).toBe(introspectionEndpoint);
      expect((await registry.admin('PUT', path, { ...base, name: 'Testinlog 2' })).status).toBe(200);
      expect((await published())?.introspectionEndpoint).toBe(introspectionEndpoint);
      expect((await registry.admin('PUT', path, { ...base, introspectionEndpoint: null })).status).toBe(200);
      expect(await published()).not.toHaveProperty('introspectionEndpoint');
    });

    it('migrates a registry seeded before, and gives its development identity provider the endpoint', async () => {
      const opened = await openTestDatabase<RegistryDatabase>(dialect);
      try {
        const before = Object.fromEntries(
          Object.entries(registryMigrations).filter(
            ([name]) => name < '2026-12-05T0100-registry-identity-provider-introspection',
          ),
        );
        await runMigrations(opened.db as Kysely<unknown>, before, 'registry');
        await opened.db
          .insertInto('organisations')
          .values({
            oin: '00000001000000000099',
            name: 'Oud',
            kind: 'gemeente',
            roles: '["afnemer"]',
            created_at: '2026-01-01T00:00:00.000Z',
            updated_at: '2026-01-01T00:00:00.000Z',
            revoked_at: null,
          } as never)
          .execute();
        await opened.db
          .insertInto('identity_providers')
          .values({
            issuer: DEV_IDENTITY_PROVIDER.issuer,
            name: base.name,
            audience: base.audience,
            jwks: JSON.stringify(base.jwks),
            minimum_assurance: 'midden',
            created_at: '2026-01-01T00:00:00.000Z',
            updated_at: '2026-01-01T00:00:00.000Z',
            revoked_at: null,
          } as never)
          .execute();
        await runMigrations(opened.db as Kysely<unknown>, registryMigrations, 'registry');
        const row = await opened.db.selectFrom('identity_providers').selectAll().executeTakeFirstOrThrow();
        expect(row.introspection_endpoint).toBeNull();
        await seedDemoRegistry(opened.db, {
          keyDir: '/nonexistent',
          gatewayUrl: 'https://x',
          identityProviderIntrospection: true,
        });
        const after = await opened.db.selectFrom('identity_providers').selectAll().executeTakeFirstOrThrow();
        expect(after.introspection_endpoint).toBe(`${DEV_IDENTITY_PROVIDER.issuer}/introspect`);
      } finally {
        await opened.close();
      }
    });
  });
}
