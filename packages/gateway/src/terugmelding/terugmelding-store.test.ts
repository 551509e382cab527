import { DIALECTS, describeDialect, openTestDatabase } from '@poortwachter/registry/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateGateway } from '../storage/migrate.ts';
import type { GatewayDatabase, TerugmeldingTable } from '../storage/tables.ts';
import {
  changeStatus,
  findTerugmelding,
  insertTerugmelding,
  listTerugmeldingen,
  purgeTerugmeldingen,
} from './terugmelding-store.ts';

const row = (id: string, overrides: Partial<TerugmeldingTable> = {}): TerugmeldingTable => ({
  id,
  service_id: 'brp-personen',
  data_subject_id: 'subject-a',
  melder_soort: 'betrokkene',
  melder_oin: null,
  processing_activity_id: null,
  body: '{"terugMeldingBody":{}}',
  status: 'Gemeld',
  uitkomst: null,
  bericht: null,
  created_at: 1000,
  updated_at: 1000,
  purge_after: null,
  ...overrides,
});

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the terugmeldingen store (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openTestDatabase<GatewayDatabase>>>;
    let db: Kysely<GatewayDatabase>;
    beforeAll(async () => {
      opened = await openTestDatabase<GatewayDatabase>(dialect);
      db = opened.db;
      await migrateGateway(db as Kysely<unknown>);
      await insertTerugmelding(db, row('m1'), null);
      await insertTerugmelding(db, row('m2', { data_subject_id: 'subject-b', created_at: 2000 }), null);
      await insertTerugmelding(
        db,
        row('m3', { melder_soort: 'organisatie', melder_oin: 'oin-u', processing_activity_id: 'pa', created_at: 3000 }),
        'oin-u',
      );
    });
    afterAll(async () => opened.close());

    it('lists by subject, by melder and by status, newest first, each with its statuses', async () => {
      const bySubject = await listTerugmeldingen(db, 'brp-personen', { subjects: ['subject-a'] });
      expect(bySubject.map((s) => s.row.id)).toEqual(['m3', 'm1']);
      expect(bySubject[0]?.statussen.map((s) => [s.status, s.by_oin])).toEqual([['Gemeld', 'oin-u']]);
      expect((await listTerugmeldingen(db, 'brp-personen', { melderOin: 'oin-u' })).map((s) => s.row.id)).toEqual([
        'm3',
      ]);
      expect(await listTerugmeldingen(db, 'brp-personen', { subjects: [] })).toEqual([]);
      expect(await listTerugmeldingen(db, 'brk-bevragen', {})).toEqual([]);
    });

    it('changes a status only from the status it was decided on', async () => {
      expect(await changeStatus(db, { id: 'm1', from: 'Gemeld', to: 'In behandeling', at: 1500, byOin: 'rvig' })).toBe(
        true,
      );
      // A second change decided on the old status (another instance, a double click) writes nothing.
      expect(await changeStatus(db, { id: 'm1', from: 'Gemeld', to: 'In behandeling', at: 1600, byOin: 'rvig' })).toBe(
        false,
      );
      const m1 = await findTerugmelding(db, 'm1');
      expect(m1?.row.status).toBe('In behandeling');
      expect(m1?.statussen.map((s) => s.status)).toEqual(['Gemeld', 'In behandeling']);
      expect((await listTerugmeldingen(db, 'brp-personen', { status: 'In behandeling' })).map((s) => s.row.id)).toEqual(
        ['m1'],
      );
    });

    it('the purge deletes only final meldingen whose purge_after has passed, with their statuses', async () => {
      await changeStatus(db, {
        id: 'm2',
        from: 'Gemeld',
        to: 'Ingetrokken',
        at: 2500,
        byOin: null,
        purgeAfter: 10_000,
      });
      expect(await purgeTerugmeldingen(db, 9_999)).toBe(0);
      expect(await purgeTerugmeldingen(db, 10_000)).toBe(1);
      expect(await findTerugmelding(db, 'm2')).toBeUndefined();
      const left = await db.selectFrom('terugmelding_statussen').select('terugmelding_id').execute();
      expect(new Set(left.map((s) => s.terugmelding_id))).toEqual(new Set(['m1', 'm3']));
    });
  });
}
