import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NOTE_ED25519,
  noteKeyFromJwk,
  REGISTRY_CHANGES_ORIGIN,
  rangeRoot,
  toBase64,
  verifyChangeLogHead,
  verifyCheckpoint,
} from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { createDirectoryPublisher } from '../directory/publisher.ts';
import { changeCosignedSizes, saveChangeCosignature, signedChangeHead } from '../repositories/change-heads.ts';
import { changeLeaves } from '../repositories/changes.ts';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { seedDemoRegistry } from '../server/seed-demo.ts';
import { DIALECTS, describeDialect, openTestDatabase } from '../testing/index.ts';
import type { RegistryDatabase } from './database.ts';
import { registryMigrations, runMigrations } from './migrate.ts';
import * as changeCheckpoints from './migrations/2026-12-14T0100-registry-change-checkpoints.ts';

const NAME = '2026-12-14T0100-registry-change-checkpoints';

/**
 * Issue 30: an existing registry (heads were signed on request and never kept) migrates to keeping
 * each head with its checkpoint and the witnesses' cosignatures; the first head is its log as it is.
 */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the change-log checkpoints migration (${dialect})`, () => {
    it('keeps heads with a checkpoint of the same size and root, one cosignature per witness and head; down drops both', async () => {
      const opened = await openTestDatabase<RegistryDatabase>(dialect);
      const keyDir = mkdtempSync(join(tmpdir(), 'poortwachter-keys-'));
      try {
        const db = opened.db as Kysely<unknown>;
        const before = Object.fromEntries(Object.entries(registryMigrations).filter(([name]) => name < NAME));
        await runMigrations(db, before, 'registry');
        expect(await seedDemoRegistry(opened.db, { keyDir, gatewayUrl: 'http://localhost:8302' })).toBe(true);
        await runMigrations(db, registryMigrations, 'registry');

        const key = await generatePrivateJwk('P-256');
        const publisher = await createDirectoryPublisher(opened.db, key);
        const leaves = await changeLeaves(opened.db);
        expect(leaves.length).toBeGreaterThan(0);
        const head = await signedChangeHead(opened.db, publisher);
        expect(Number(head.tree_size)).toBe(leaves.length);
        expect(head.root_hash).toBe(toBase64(rangeRoot(leaves)));
        expect((await verifyChangeLogHead(head.jws, publicJwkOf(key))).root_hash).toBe(head.root_hash);
        const checkpoint = await verifyCheckpoint(head.checkpoint, {
          logKeys: [noteKeyFromJwk(REGISTRY_CHANGES_ORIGIN, NOTE_ED25519, publicJwkOf(key))],
          policy: { witnesses: [], quorum: 0 },
          origin: REGISTRY_CHANGES_ORIGIN,
        });
        expect([checkpoint.size, toBase64(checkpoint.rootHash)]).toEqual([leaves.length, head.root_hash]);
        // Signed once per size: asked again, the same head.
        expect((await signedChangeHead(opened.db, publisher)).jws).toBe(head.jws);

        const size = leaves.length;
        await saveChangeCosignature(opened.db, { witness: 'a', size, line: 'first\n' }, new Date());
        await saveChangeCosignature(opened.db, { witness: 'a', size, line: 'second\n' }, new Date());
        await saveChangeCosignature(opened.db, { witness: 'b', size: size - 1, line: 'b\n' }, new Date());
        expect(await changeCosignedSizes(opened.db)).toEqual(
          new Map([
            ['a', size],
            ['b', size - 1],
          ]),
        );
        const kept = await opened.db
          .selectFrom('registry_change_cosignatures')
          .select('line')
          .where('witness', '=', 'a')
          .execute();
        expect(kept).toEqual([{ line: 'first\n' }]);

        await changeCheckpoints.down(db);
        const tables = (await db.introspection.getTables()).map((t) => t.name);
        expect(tables).not.toContain('registry_change_heads');
        expect(tables).not.toContain('registry_change_cosignatures');
        await changeCheckpoints.up(db);
        expect(await changeCosignedSizes(opened.db)).toEqual(new Map());
      } finally {
        await opened.close();
        rmSync(keyDir, { recursive: true, force: true });
      }
    });
  });
}
