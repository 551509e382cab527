import type { DirectorySnapshot } from '@poortwachter/protocol';
import { retentionCutoff } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import {
  createAuditorClient,
  createCitizenClient,
  fetchDirectory,
  memoryHeadStore,
  noHeadsSeen,
} from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPostgres, monthOf, partitionName } from '../storage/partitions.ts';
import { GATEWAY_URL, LOG_KEY, startTestGateway, type TestGateway } from '../testing/index.ts';
import { logKeyId } from './pseudonym.ts';

const SUZANNE = '999993653';
const OTHER = '999995078';
const DAY = 86_400_000;
/** When the Utrecht Wmo records (bewaartermijn P15Y) made now are past their term. */
const afterFifteenYears = () => Date.now() + 15 * 366 * DAY + 2 * DAY;

describe('retentionCutoff: a bewaartermijn on the calendar', () => {
  it('counts years and months on the calendar and days exactly', () => {
    const at = Date.parse('2026-03-31T12:00:00Z');
    expect(new Date(retentionCutoff(at, 'P20Y') as number).toISOString()).toBe('2006-03-31T12:00:00.000Z');
    expect(new Date(retentionCutoff(at, 'P1M') as number).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(new Date(retentionCutoff(at, 'P1Y6M') as number).toISOString()).toBe('2024-09-30T12:00:00.000Z');
    expect(new Date(retentionCutoff(at, 'P30DT12H') as number).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(retentionCutoff(at, '15 jaar')).toBeUndefined();
  });
});

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the retention purge (${dialect})`, () => {
    let gw: TestGateway;
    let directory: DirectorySnapshot;
    const heads = memoryHeadStore();
    const fetchImpl: typeof fetch = async (input, init) => gw.app.request(String(input), init);
    const auditor = () =>
      createAuditorClient({
        oin: DEMO_OIN.autoriteitPersoonsgegevens,
        privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
        directory,
        fetch: fetchImpl,
      });
    const query = async (
      bsn: string,
      oin: string = DEMO_OIN.utrecht,
      activity = DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    ) => {
      const res = await gw.send(
        oin,
        { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: ['naam.voornamen'] },
        { processingActivity: activity },
      );
      expect(res.status, await res.clone().text()).toBe(200);
    };
    /** The citizen's timeline as a plain HTTP client reads it (no sdk). */
    const inzage = async (bsn: string) => {
      const res = await gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen?van=2000-01-01`, {
        headers: { authorization: `Bearer ${await gw.citizenToken({ sub: bsn })}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { verwerkingen: { id: string }[]; verwijderd: { aantal: number } };
    };
    const count = async (table: 'access_log' | 'access_log_purged' | 'merkle_leaves') =>
      Number(
        (
          await gw.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    beforeEach(async () => {
      gw = await startTestGateway(dialect);
      directory = await fetchDirectory({
        registryUrl: 'http://registry.test',
        registryKey: gw.registry.registryPublicKey,
        fetch: async (input, init) => gw.registry.app.request(String(input), init),
      });
      heads.heads = noHeadsSeen();
      for (const bsn of [SUZANNE, OTHER, SUZANNE]) await query(bsn);
      await gw.log.drain();
      await gw.signTreeHead();
    });
    afterEach(async () => gw.close());

    it('keeps every record within its bewaartermijn', async () => {
      const run = await gw.purgeExpired();
      expect(run?.purged).toBe(0);
      expect(await count('access_log')).toBe(3);
      expect((await inzage(SUZANNE)).verwijderd.aantal).toBe(0);
    });

    it('removes records past their term: leaves stay, proofs verify, citizen and auditor see the removal', async () => {
      const run = await gw.purgeExpired(afterFifteenYears());
      expect(run?.purged).toBe(3);
      expect(await count('access_log')).toBe(0);
      expect(await count('access_log_purged')).toBe(3);
      expect(await count('merkle_leaves')).toBe(3);
      // Nothing of the content stays: only position, time, activity, term and the purge.
      const kept = await gw.db.selectFrom('access_log_purged').selectAll().execute();
      expect(Object.keys(kept[0] ?? {}).sort()).toEqual(
        [
          'bewaartermijn',
          'data_subject_id',
          'id',
          'leaf_index',
          'log_id',
          'log_key_id',
          'processing_activity_id',
          'processing_activity_version',
          'purged_at',
          'start_time',
        ].sort(),
      );
      expect(kept.map((k) => k.bewaartermijn)).toEqual(['P15Y', 'P15Y', 'P15Y']);
      // Which log key made the pseudonym stays too: the citizen sees the removal only with that key.
      expect(kept.map((k) => k.log_key_id)).toEqual(Array(3).fill(logKeyId(LOG_KEY)));

      const page = await inzage(SUZANNE);
      expect(page.verwerkingen).toEqual([]);
      expect(page.verwijderd).toEqual({ aantal: 2 });
      expect((await inzage(OTHER)).verwijderd).toEqual({ aantal: 1 });
      const token = await gw.citizenToken({ sub: SUZANNE });
      const timeline = await createCitizenClient({ token, directory, fetch: fetchImpl }).accessLog({ verify: true });
      expect(timeline.records).toEqual([]);
      expect(timeline.removedByRetention).toBe(2);

      const audit = await auditor().verifyLogs({ heads, full: true });
      expect(audit.logs.map((l) => [l.logId, l.head.tree_size, l.findings, l.purged])).toEqual([
        ['instance-1', 3, [], 3],
      ]);

      // A second run finds nothing more; new records are logged and proven as before.
      expect((await gw.purgeExpired(afterFifteenYears()))?.purged).toBe(0);
      await query(SUZANNE);
      await gw.log.drain();
      await gw.signTreeHead();
      const again = await auditor().verifyLogs({ heads, full: true });
      expect(again.logs.map((l) => [l.head.tree_size, l.findings, l.purged])).toEqual([[4, [], 3]]);
    });

    it('keeps the records of an activity with a longer term while another one goes', async () => {
      await query(SUZANNE, DEMO_OIN.haarlem, DEMO_PROCESSING_ACTIVITY.haarlemBijstand); // P7Y
      await gw.log.drain();
      const run = await gw.purgeExpired(Date.now() + 8 * 366 * DAY);
      expect(run?.purged).toBe(1);
      const left = await gw.db.selectFrom('access_log').select('processing_activity_id').execute();
      expect(new Set(left.map((r) => r.processing_activity_id))).toEqual(
        new Set([DEMO_PROCESSING_ACTIVITY.utrechtWmo]),
      );
      expect(left).toHaveLength(3);
      const page = await inzage(SUZANNE);
      expect([page.verwerkingen.length, page.verwijderd.aantal]).toEqual([2, 1]);
    });

    it('a record removed before its term, dressed up as a purge, is a finding; one removed without a trace is MISSING', async () => {
      const [early, gone] = await gw.db.selectFrom('access_log').selectAll().orderBy('leaf_index').execute();
      if (!early || !gone) throw new Error('no records');
      await gw.db
        .insertInto('access_log_purged')
        .values({
          id: early.id,
          log_id: early.log_id,
          leaf_index: early.leaf_index,
          start_time: early.start_time,
          processing_activity_id: early.processing_activity_id,
          processing_activity_version: early.processing_activity_version,
          data_subject_id: early.data_subject_id,
          bewaartermijn: 'P15Y',
          purged_at: Date.now(),
        })
        .execute();
      await gw.db.deleteFrom('access_log').where('id', 'in', [early.id, gone.id]).execute();
      const audit = await auditor().verifyLogs({ heads, full: true });
      const findings = audit.logs.flatMap((l) => l.findings);
      expect(findings.some((f) => f.includes(early.id) && f.includes('BEFORE its bewaartermijn'))).toBe(true);
      expect(findings.some((f) => f.includes(gone.id) && f.includes('MISSING'))).toBe(true);
    });

    if (dialect === 'postgres') {
      it('a month whose records are all past their term goes by dropping its partition', async () => {
        const db = gw.db;
        const month = monthOf(Date.now()).month;
        const name = partitionName(month);
        const exists = async () =>
          (await sql<{ oid: string | null }>`select to_regclass(${name})::text as oid`.execute(db)).rows[0]?.oid !=
          null;
        expect(isPostgres(db as never)).toBe(true);
        expect(await exists()).toBe(true);
        const run = await gw.purgeExpired(afterFifteenYears() + 40 * DAY);
        expect(run?.monthsDropped).toContain(month);
        expect(run?.purged).toBe(3);
        expect(await exists()).toBe(false);
        const noted = await db.selectFrom('retention_months').selectAll().execute();
        expect(noted.map((m) => [m.month, Number(m.records)])).toEqual([[month, 3]]);
        const audit = await auditor().verifyLogs({ heads, full: true });
        expect(audit.logs.map((l) => [l.findings, l.purged])).toEqual([[[], 3]]);
        expect((await inzage(SUZANNE)).verwijderd.aantal).toBe(2);
      });
    }
  });
}
