import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRK_SERVICE_ID, BRP_SERVICE_ID, brpService, DEMO_OIN } from '@poortwachter/seeds';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { getService, listServices } from '../repositories/services.ts';
import { seedDemoRegistry } from '../server/seed-demo.ts';
import { DIALECTS, describeDialect, openTestDatabase } from '../testing/index.ts';
import type { RegistryDatabase } from './database.ts';
import { registryMigrations, runMigrations } from './migrate.ts';

const AT = '2026-01-01T00:00:00.000Z';
/** RvIG's BRP service as the demo seeded it before issue 26. */
// The BRP service as it was before issue 29 (nothing offered to the betrokkene yet).
const { id: _id, betrokkene: _betrokkene, ...brp } = brpService('http://localhost:8302');

/** Issue 26: a registry from before service descriptions migrates without losing anything. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the service description migration (${dialect})`, () => {
    it('gives an existing database the columns, keeps every service as it was, with no description', async () => {
      const opened = await openTestDatabase<RegistryDatabase>(dialect);
      const keyDir = mkdtempSync(join(tmpdir(), 'poortwachter-keys-'));
      try {
        // The migrations of before issue 26: every one named before the service description's.
        const before = Object.fromEntries(
          Object.entries(registryMigrations).filter(([name]) => name < '2026-12-06T0100-registry-service-description'),
        );
        await runMigrations(opened.db as Kysely<unknown>, before, 'registry');
        // The demo as it was seeded before issue 26: RvIG and its BRP service.
        await opened.db
          .insertInto('organisations')
          .values({
            oin: DEMO_OIN.rvig,
            name: 'Rijksdienst voor Identiteitsgegevens',
            kind: 'rijk',
            roles: '["bronhouder"]',
            created_at: AT,
            updated_at: AT,
            revoked_at: null,
          } as never)
          .execute();
        await opened.db
          .insertInto('services')
          .values({
            id: BRP_SERVICE_ID,
            provider_oin: DEMO_OIN.rvig,
            name: 'BRP Personen bevragen',
            gateway_url: 'http://localhost:8302',
            protocol: 'brp-personen-v2',
            field_catalogue: JSON.stringify(brp.fieldCatalogue),
            data_subject_paths: JSON.stringify(brp.dataSubjectPaths),
            search_parameters: JSON.stringify(brp.searchParameters),
            created_at: AT,
            updated_at: AT,
            revoked_at: null,
          } as never)
          .execute();

        await runMigrations(opened.db as Kysely<unknown>, registryMigrations, 'registry');
        const row = await opened.db.selectFrom('services').selectAll().executeTakeFirstOrThrow();
        expect(row.description).toBeNull();
        expect(row.open_api).toBeNull();
        const service = await getService(opened.db, BRP_SERVICE_ID);
        expect(service).toEqual({ id: BRP_SERVICE_ID, ...brp, revokedAt: null });
        expect('description' in service).toBe(false);

        // The demo seed then adds what the demo has since, Kadaster and its BRK service, and what the BRP
        // offers the citizen (issue 29), and keeps the rest.
        expect(
          await seedDemoRegistry(opened.db, {
            keyDir,
            gatewayUrl: 'http://localhost:8302',
            brkGatewayUrl: 'http://localhost:8307',
          }),
        ).toBe(false);
        expect(await getService(opened.db, BRP_SERVICE_ID)).toEqual({
          ...service,
          betrokkene: brpService('').betrokkene,
        });
        const brk = (await listServices(opened.db)).find((s) => s.id === BRK_SERVICE_ID);
        expect(brk?.providerOin).toBe(DEMO_OIN.kadaster);
        expect(brk?.gatewayUrl).toBe('http://localhost:8307');
      } finally {
        await opened.close();
        rmSync(keyDir, { recursive: true, force: true });
      }
    });
  });
}
