import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COSIGNATURE_ED25519, formatVkey, noteKeyFromJwk } from '@poortwachter/protocol';
import { DEMO_WITNESSES } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { OPERATOR } from '../domain/actor.ts';
import { currentSerial } from '../repositories/changes.ts';
import { currentWitnessPolicy, removeWitness } from '../repositories/witnesses.ts';
import { publicJwkOf } from '../server/key-files.ts';
import { seedDemoRegistry } from '../server/seed-demo.ts';
import { DIALECTS, describeDialect, openTestDatabase } from '../testing/index.ts';
import type { RegistryDatabase } from './database.ts';
import { registryMigrations, runMigrations } from './migrate.ts';

const WITNESS_URLS = { 'getuige-registry': 'http://localhost:8313', 'getuige-ap': 'http://localhost:8314' } as const;

/** Issue 30: an existing registry migrates to listing no witnesses; the demo seed lists the demo's two. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the witnesses migration and demo seed (${dialect})`, () => {
    it('gives an existing registry no witnesses (quorum 0); the demo seed lists both with quorum 2, once', async () => {
      const opened = await openTestDatabase<RegistryDatabase>(dialect);
      const keyDir = mkdtempSync(join(tmpdir(), 'poortwachter-keys-'));
      try {
        const before = Object.fromEntries(
          Object.entries(registryMigrations).filter(([name]) => name < '2026-12-12T0100-registry-witnesses'),
        );
        await runMigrations(opened.db as Kysely<unknown>, before, 'registry');
        // A demo registry of before issue 30.
        expect(await seedDemoRegistry(opened.db, { keyDir, gatewayUrl: 'http://localhost:8302' })).toBe(true);
        await runMigrations(opened.db as Kysely<unknown>, registryMigrations, 'registry');
        expect(await currentWitnessPolicy(opened.db)).toEqual({ witnesses: [], quorum: 0 });

        // `pnpm start` on it: the seed lists the demo's witnesses, each with the key it made for it.
        const seed = () =>
          seedDemoRegistry(opened.db, { keyDir, gatewayUrl: 'http://localhost:8302', witnessUrls: WITNESS_URLS });
        expect(await seed()).toBe(false);
        const policy = await currentWitnessPolicy(opened.db);
        expect(policy.quorum).toBe(2);
        expect(policy.witnesses.map((w) => [w.name, w.url])).toEqual([
          ['poortwachter.example/getuige-ap', 'http://localhost:8314'],
          ['poortwachter.example/getuige-registry', 'http://localhost:8313'],
        ]);
        for (const demo of DEMO_WITNESSES) {
          const file = join(keyDir, demo.keyFile);
          expect(statSync(file).mode & 0o777).toBe(0o600);
          const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
          const vkey = formatVkey(noteKeyFromJwk(demo.name, COSIGNATURE_ED25519, publicJwkOf(jwk)));
          expect(policy.witnesses.find((w) => w.name === demo.name)?.vkey).toBe(vkey);
        }

        // Again: nothing changes. After the operator removed one, the seed does not bring it back.
        const { serial } = await currentSerial(opened.db);
        await seed();
        expect((await currentSerial(opened.db)).serial).toBe(serial);
        await removeWitness(opened.db, 'poortwachter.example/getuige-ap', { quorum: 1 }, OPERATOR);
        await seed();
        const after = await currentWitnessPolicy(opened.db);
        expect([after.witnesses.map((w) => w.name), after.quorum]).toEqual([
          ['poortwachter.example/getuige-registry'],
          1,
        ]);
      } finally {
        await opened.close();
        rmSync(keyDir, { recursive: true, force: true });
      }
    });
  });
}
