import type { DirectorySnapshot } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { createAuditorClient, fetchDirectory, memoryHeadStore, noHeadsSeen, trustedBy } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/index.ts';

const SUZANNE = '999993653';
const LOG = 'instance-1';

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the auditor's incremental check (${dialect})`, () => {
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
    /** `n` queries logged and a head signed over them. */
    const grow = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await gw.send(
          DEMO_OIN.utrecht,
          { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [SUZANNE], fields: ['naam.voornamen'] },
          { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
        );
        expect(res.status).toBe(200);
      }
      await gw.log.drain();
      await gw.signTreeHead();
    };
    const recordAt = async (index: number) =>
      (
        await gw.db
          .selectFrom('merkle_leaves')
          .select('record_id')
          .where('log_id', '=', LOG)
          .where('leaf_index', '=', index)
          .executeTakeFirstOrThrow()
      ).record_id;
    const change = async (index: number) => {
      const id = await recordAt(index);
      const row = await gw.db.selectFrom('access_log').select('record').where('id', '=', id).executeTakeFirstOrThrow();
      await gw.db
        .updateTable('access_log')
        .set({ record: row.record.replace('"status":"Ok"', '"status":"OK"') })
        .where('id', '=', id)
        .execute();
      return id;
    };
    const run = (full = false) => auditor().verifyLogs({ heads, full: true, incremental: !full });

    beforeEach(async () => {
      gw = await startTestGateway(dialect);
      directory = await fetchDirectory({
        registryUrl: 'http://registry.test',
        registryKey: gw.registry.registryPublicKey,
        fetch: async (input, init) => gw.registry.app.request(String(input), init),
        trust: trustedBy(gw.registry.trustAnchors),
      });
      heads.heads = noHeadsSeen();
      await grow(3);
    });
    afterEach(async () => gw.close());

    it('the first run checks every entry; the next only those added since, from the edge it kept', async () => {
      const first = await run();
      expect(first.logs.map((l) => [l.logId, l.head.tree_size, l.checkedFrom, l.entriesChecked, l.findings])).toEqual([
        [LOG, 3, 0, 3, []],
      ]);
      expect(heads.heads.logs[DEMO_OIN.rvig]?.[LOG]?.entries).toMatchObject({ size: 3 });
      expect(heads.heads.logs[DEMO_OIN.rvig]?.[LOG]?.entries?.edge).toHaveLength(2);

      await grow(2);
      const second = await run();
      expect(second.consistent).toBe(true);
      expect(second.logs.map((l) => [l.head.tree_size, l.checkedFrom, l.entriesChecked])).toEqual([[5, 3, 2]]);
      expect(heads.heads.logs[DEMO_OIN.rvig]?.[LOG]).toMatchObject({ tree_size: 5, entries: { size: 5 } });

      // Nothing added: nothing to check, the head seen again.
      const third = await run();
      expect(third.logs.map((l) => [l.head.tree_size, l.checkedFrom, l.entriesChecked, l.findings])).toEqual([
        [5, 5, 0, []],
      ]);
    });

    it('a record added since and then changed is found; one checked before is left to --full', async () => {
      await run();
      await grow(2);
      const added = await change(4);
      const incremental = await run();
      expect(incremental.consistent).toBe(false);
      expect(incremental.logs[0]?.findings.join('\n')).toContain(`record ${added} (leaf 4) was CHANGED`);
      // A finding: the head and its edge are not kept, so the next run checks those entries again.
      expect(heads.heads.logs[DEMO_OIN.rvig]?.[LOG]).toMatchObject({ tree_size: 3, entries: { size: 3 } });

      const old = await change(1);
      expect((await run()).logs[0]?.findings.join('\n')).not.toContain(old);
      const full = await run(true);
      expect(full.logs[0]?.checkedFrom).toBe(0);
      expect(full.logs[0]?.findings.join('\n')).toContain(`record ${old} (leaf 1) was CHANGED`);
    });

    it('an edge on file that does not fold to the kept root is not gone on from: every entry is checked', async () => {
      await run();
      const kept = heads.heads.logs[DEMO_OIN.rvig]?.[LOG];
      if (!kept?.entries) throw new Error('no edge kept');
      const [first, ...rest] = kept.entries.edge;
      const wrong = `${first?.startsWith('A') ? 'B' : 'A'}${first?.slice(1)}`;
      heads.heads = {
        ...heads.heads,
        logs: { [DEMO_OIN.rvig]: { [LOG]: { ...kept, entries: { size: 3, edge: [wrong, ...rest] } } } },
      };
      await grow(1);
      const result = await run();
      expect(result.logs.map((l) => [l.head.tree_size, l.checkedFrom, l.entriesChecked, l.findings])).toEqual([
        [4, 0, 4, []],
      ]);
    });
  });
}
