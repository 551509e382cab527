import { changeLeafHash, toBase64 } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { changeLeaves, listChanges } from '../repositories/changes.ts';
import { DIALECTS, describeDialect, openTestDatabase } from '../testing/index.ts';
import type { RegistryDatabase } from './database.ts';
import { registryMigrations, runMigrations } from './migrate.ts';

const CHANGE_ACTOR = '2026-12-10T0100-registry-change-actor';

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the change-actor migration (${dialect})`, () => {
    it("gives an existing registry's changes the operator as actor and their leaves, in serial order", async () => {
      const { db, close } = await openTestDatabase<RegistryDatabase>(dialect);
      try {
        const before = Object.entries(registryMigrations).filter(([name]) => name < CHANGE_ACTOR);
        await runMigrations(db as Kysely<unknown>, Object.fromEntries(before), 'registry');
        const legacy = db as unknown as Kysely<{
          registry_changes: {
            serial: number;
            changed_at: string;
            entity: string;
            entity_id: string;
            action: string;
            record: string;
          };
        }>;
        for (const serial of [1, 2, 3]) {
          await legacy
            .insertInto('registry_changes')
            .values({
              serial,
              changed_at: `2026-01-0${serial}T00:00:00.000Z`,
              entity: 'grondslag',
              entity_id: `g-${serial}`,
              action: 'create',
              record: JSON.stringify({ id: `g-${serial}`, title: 'Één grondslag' }),
            })
            .execute();
        }
        await runMigrations(db as Kysely<unknown>, registryMigrations, 'registry');
        const changes = await listChanges(db, {});
        expect(changes.map((c) => c.actor)).toEqual(['operator', 'operator', 'operator']);
        const leaves = (await changeLeaves(db)).map(toBase64);
        expect(leaves).toEqual(changes.map((c) => toBase64(changeLeafHash(c))));
      } finally {
        await close();
      }
    });
  });
}
