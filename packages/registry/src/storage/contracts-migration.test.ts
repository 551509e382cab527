import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anchoredKeys,
  checkContentShape,
  contentHash,
  contractStatus,
  parseTrustAnchors,
} from '@poortwachter/protocol/contracts';
import {
  BRP_SERVICE_ID,
  brpService,
  DEMO_GRONDSLAGEN,
  DEMO_OIN,
  DEMO_ORGANISATIONS,
  DEMO_PROCESSING_ACTIVITIES,
  DEMO_PROCESSING_ACTIVITY,
  demoAutorisaties,
} from '@poortwachter/seeds';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { listSignedContracts } from '../repositories/contracts.ts';
import { listOrganisations } from '../repositories/organisations.ts';
import { loadOrCreateKey, publicJwkOf } from '../server/key-files.ts';
import { seedDemoRegistry } from '../server/seed-demo.ts';
import { DIALECTS, describeDialect, openTestDatabase } from '../testing/index.ts';
import type { RegistryDatabase } from './database.ts';
import { registryMigrationsFor, runMigrations } from './migrate.ts';

const CONTRACTS = '2026-12-09T0100-registry-contracts';
const AT = '2026-01-01T00:00:00.000Z';
const row = <T>(values: T) => ({ created_at: AT, updated_at: AT, revoked_at: null, ...values }) as never;

/** The schema as it was before issue 28: every migration named before the contracts'. */
async function migrateBefore28(db: Kysely<RegistryDatabase>, groupId: string) {
  const before = Object.entries(registryMigrationsFor({ groupId })).filter(([name]) => name < CONTRACTS);
  await runMigrations(db as Kysely<unknown>, Object.fromEntries(before), 'registry');
}

/** A demo registry as the seed made it before issue 28 (its rows written as that schema held them). */
async function seedBefore28(db: Kysely<RegistryDatabase>, keyDir: string, now: Date) {
  for (const organisation of DEMO_ORGANISATIONS) {
    const { jwk } = await loadOrCreateKey(join(keyDir, `${organisation.oin}.jwk.json`), organisation.keyType, {
      demo: true,
    });
    const { oin, name, kind, roles } = organisation;
    await db
      .insertInto('organisations')
      .values(row({ oin, name, kind, roles: JSON.stringify(roles), web_origins: '[]' }))
      .execute();
    const key = publicJwkOf(jwk);
    await db
      .insertInto('organisation_keys')
      .values({
        kid: key.kid,
        oin,
        jwk: JSON.stringify(key),
        status: 'active',
        revoked_at: null,
        valid_from: new Date(now.getTime() - 400 * 86_400_000).toISOString(),
        valid_to: null,
        created_at: AT,
      } as never)
      .execute();
  }
  for (const g of DEMO_GRONDSLAGEN) {
    await db
      .insertInto('grondslagen')
      .values(
        row({
          id: g.id,
          title: g.title,
          law_name: g.lawName,
          article: g.article,
          bwb_id: g.bwbId,
          url: g.url,
          avg_basis: g.avgBasis,
          valid_from: AT,
          valid_to: null,
        }),
      )
      .execute();
  }
  const brp = brpService('http://localhost:8302');
  await db
    .insertInto('services')
    .values(
      row({
        id: brp.id,
        provider_oin: brp.providerOin,
        name: brp.name,
        gateway_url: brp.gatewayUrl,
        protocol: brp.protocol,
        field_catalogue: JSON.stringify(brp.fieldCatalogue),
        data_subject_paths: JSON.stringify(brp.dataSubjectPaths),
        search_parameters: JSON.stringify(brp.searchParameters),
      }),
    )
    .execute();
  for (const [index, a] of DEMO_PROCESSING_ACTIVITIES.entries()) {
    // Two versions of the first, so that the migration takes the current one.
    for (const version of index === 0 ? [1, 2] : [1]) {
      await db
        .insertInto('processing_activity_versions')
        .values({
          id: a.id,
          version,
          name: a.name,
          doel: a.doel,
          grondslag_ids: JSON.stringify(version === 2 ? [...a.grondslagIds].reverse() : a.grondslagIds),
          responsible_oin: a.responsibleOin,
          bewaartermijn: a.bewaartermijn,
          vertrouwelijkheid: a.vertrouwelijkheid,
          valid_from: new Date(now.getTime() - (800 - version) * 86_400_000).toISOString(),
          revoked_at: null,
          recorded_at: AT,
        } as never)
        .execute();
    }
  }
  for (const a of demoAutorisaties(now)) {
    await db
      .insertInto('autorisaties')
      .values(
        row({
          id: a.id,
          afnemer_oin: a.afnemerOin,
          service_id: a.serviceId,
          processing_activity_id: a.processingActivityId,
          fields: JSON.stringify(a.fields),
          search_types: JSON.stringify(a.searchTypes),
          valid_from: a.validFrom,
          valid_to: a.validTo ?? null,
          quota: a.id === 'uwv-ww-brp' ? JSON.stringify({ requestsPerSecond: 5, burst: 10 }) : null,
          ...(a.id === 'rotterdam-bijstand-brp' ? { revoked_at: AT } : {}),
        }),
      )
      .execute();
  }
}

/** Issue 28: a registry from before contracts migrates; its autorisaties become proposed contracts. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the contracts migration (${dialect})`, () => {
    it('turns every unrevoked autorisatie into a proposed contract with its terms, in the given group', async () => {
      const opened = await openTestDatabase<RegistryDatabase>(dialect);
      const keyDir = mkdtempSync(join(tmpdir(), 'poortwachter-keys-'));
      try {
        const now = new Date();
        await migrateBefore28(opened.db, 'gemeenten-proef');
        await seedBefore28(opened.db, keyDir, now);
        const serialBefore = 0;
        await runMigrations(
          opened.db as Kysely<unknown>,
          registryMigrationsFor({ groupId: 'gemeenten-proef' }),
          'registry',
        );

        const contracts = (await listSignedContracts(opened.db)).map((c) => c.contract);
        const autorisaties = demoAutorisaties(now).filter((a) => a.id !== 'rotterdam-bijstand-brp');
        expect(contracts).toHaveLength(autorisaties.length);
        for (const a of autorisaties) {
          const contract = contracts.find(
            (c) => c.content.grants[0].data.properties.processing_activity_id === a.processingActivityId,
          );
          expect(contract, a.id).toBeDefined();
          if (!contract) continue;
          const content = checkContentShape(contract.content);
          expect(contract.hash).toBe(contentHash(content));
          expect(contract.signatures).toEqual([]);
          expect(content.group_id).toBe('gemeenten-proef');
          const { data } = content.grants[0];
          expect(data).toMatchObject({
            type: 'GRANT_TYPE_SERVICE_CONNECTION',
            service: { peer_id: DEMO_OIN.rvig, name: BRP_SERVICE_ID },
            outway: { peer_id: a.afnemerOin },
          });
          expect(data.properties.fields).toEqual(a.fields);
          expect(data.properties.search_types).toEqual(a.searchTypes);
          const notBefore = Math.floor(Date.parse(a.validFrom) / 1000);
          expect(content.validity.not_before).toBe(notBefore);
          const tenYears = Math.round(10 * 365.25 * 86_400);
          expect(content.validity.not_after).toBe(
            a.validTo ? Math.floor(Date.parse(a.validTo) / 1000) : notBefore + tenYears,
          );
          const activity = DEMO_PROCESSING_ACTIVITIES.findIndex((p) => p.id === a.processingActivityId);
          const grondslagen = DEMO_PROCESSING_ACTIVITIES[activity]?.grondslagIds ?? [];
          // The current version, and its first grondslag (version 2 of the first lists them reversed).
          expect(data.properties.processing_activity_version).toBe(activity === 0 ? 2 : 1);
          expect(data.properties.grondslag_id).toBe(activity === 0 ? grondslagen.at(-1) : grondslagen[0]);
          expect(data.properties.quota).toEqual(
            a.id === 'uwv-ww-brp' ? { requestsPerSecond: 5, burst: 10 } : undefined,
          );
          // Proposed: nobody signed it (the migration cannot).
          const status = await contractStatus(contract, await anchoredKeys([], []), { now });
          expect(status.missing).toEqual([a.afnemerOin, DEMO_OIN.rvig]);
        }
        // Each is a recorded change with its own serial, so every gateway fetches the directory again.
        const changes = await opened.db
          .selectFrom('registry_changes')
          .selectAll()
          .where('entity', '=', 'contract')
          .execute();
        expect(changes.map((c) => c.action)).toEqual(autorisaties.map(() => 'migrate'));
        const state = await opened.db.selectFrom('directory_state').select('serial').executeTakeFirstOrThrow();
        expect(Number(state.serial)).toBe(serialBefore + autorisaties.length);
        // The autorisaties stay as they were, as history; keys gained the (empty) certificate columns.
        expect(await opened.db.selectFrom('autorisaties').select('id').execute()).toHaveLength(7);
        const keys = (await listOrganisations(opened.db)).flatMap((o) => o.keys);
        expect(keys.every((k) => !('x5c' in k) && !('endorsement' in k))).toBe(true);
      } finally {
        await opened.close();
        rmSync(keyDir, { recursive: true, force: true });
      }
    });

    it('gives a demo registry seeded before issue 28 certificates and contracts both parties signed', async () => {
      const opened = await openTestDatabase<RegistryDatabase>(dialect);
      const keyDir = mkdtempSync(join(tmpdir(), 'poortwachter-keys-'));
      try {
        const now = new Date();
        await migrateBefore28(opened.db, 'poortwachter-demo');
        await seedBefore28(opened.db, keyDir, now);
        await runMigrations(
          opened.db as Kysely<unknown>,
          registryMigrationsFor({ groupId: 'poortwachter-demo' }),
          'registry',
        );
        const migrated = (await listSignedContracts(opened.db)).map((c) => c.contract.hash).sort();

        expect(await seedDemoRegistry(opened.db, { keyDir, gatewayUrl: 'http://localhost:8302' })).toBe(false);
        const anchors = parseTrustAnchors(readFileSync(join(keyDir, 'demo-ca.pem'), 'utf8'));
        const organisations = await listOrganisations(opened.db);
        const keys = await anchoredKeys(organisations, anchors);
        // Every demo key now carries a certificate from the demo CA, and so is anchored.
        for (const organisation of organisations) {
          expect(organisation.keys.map((k) => keys.byKid.get(k.kid)?.oin)).toEqual([organisation.oin]);
        }
        // The migrated contracts are the ones signed: none made twice, none lost.
        const contracts = await listSignedContracts(opened.db);
        expect(contracts.map((c) => c.contract.hash).sort()).toEqual(migrated);
        const states = new Map<string, string>();
        for (const { contract } of contracts) {
          const status = await contractStatus(contract, keys, { now });
          expect(status.missing, contract.hash).toEqual([]);
          states.set(contract.content.grants[0].data.properties.processing_activity_id, status.state);
        }
        expect(states.get(DEMO_PROCESSING_ACTIVITY.haarlemBijstand)).toBe('inForce');
        expect(states.get(DEMO_PROCESSING_ACTIVITY.utrechtJeugd)).toBe('notYetValid');
        expect(states.get(DEMO_PROCESSING_ACTIVITY.rotterdamWmo)).toBe('expired');
        // The revoked autorisatie stays revoked: no contract stands for it.
        expect(states.has(DEMO_PROCESSING_ACTIVITY.rotterdamBijstand)).toBe(false);

        // A second start changes nothing more.
        const serial = (await opened.db.selectFrom('directory_state').select('serial').executeTakeFirstOrThrow())
          .serial;
        await seedDemoRegistry(opened.db, { keyDir, gatewayUrl: 'http://localhost:8302' });
        const again = (await opened.db.selectFrom('directory_state').select('serial').executeTakeFirstOrThrow()).serial;
        expect(again).toBe(serial);
      } finally {
        await opened.close();
        rmSync(keyDir, { recursive: true, force: true });
      }
    });
  });
}
