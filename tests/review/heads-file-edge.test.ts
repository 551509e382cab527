/**
 * Review of issue 30, promise 4: an edited heads file. A file this version writes never keeps an edge
 * (`entries`) beyond its head's size (`keep` drops it), yet `edgeOf` takes an edge of any size up to the
 * new head without tying it to anything when it is not the kept head's size. An edge set at the new
 * head's size (its hashes are public: the level-0 tiles) makes the incremental run check no record at
 * all. Review finding (low: it needs write access to the auditor's file); failed on main at 69a65dd, fixed since.
 */
import { startTestGateway, type TestGateway } from '@poortwachter/gateway/testing';
import { CompactRange, type DirectorySnapshot, fromBase64, toBase64 } from '@poortwachter/protocol';
import { describeDialect } from '@poortwachter/registry/testing';
import { createAuditorClient, fetchDirectory, memoryHeadStore, noHeadsSeen, trustedBy } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';

const LOG = 'instance-1';

describeDialect('sqlite', 'review: the incremental audit and an edited heads file', () => {
  let gw: TestGateway;
  let directory: DirectorySnapshot;
  const heads = memoryHeadStore();
  const run = () =>
    createAuditorClient({
      oin: DEMO_OIN.autoriteitPersoonsgegevens,
      privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
      directory,
      fetch: async (input, init) => gw.app.request(String(input), init),
    }).verifyLogs({ heads, full: true, incremental: true });
  const grow = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = await gw.send(
        DEMO_OIN.utrecht,
        { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam.voornamen'] },
        { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
      );
      expect(res.status).toBe(200);
    }
    await gw.log.drain();
    await gw.signTreeHead();
  };

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    directory = await fetchDirectory({
      registryUrl: 'http://registry.test',
      registryKey: gw.registry.registryPublicKey,
      fetch: async (input, init) => gw.registry.app.request(String(input), init),
      trust: trustedBy(gw.registry.trustAnchors),
    });
    heads.heads = noHeadsSeen();
  });
  afterAll(async () => gw?.close());

  it('an edge beyond the kept head (an edited heads file) is not trusted: the records added since are checked', async () => {
    await grow(3);
    expect((await run()).consistent).toBe(true);
    await grow(2);
    // Record 3 (added since the last run) changed by the bronhouder.
    const { record_id } = await gw.db
      .selectFrom('merkle_leaves')
      .select('record_id')
      .where('log_id', '=', LOG)
      .where('leaf_index', '=', 3)
      .executeTakeFirstOrThrow();
    const row = await gw.db
      .selectFrom('access_log')
      .select('record')
      .where('id', '=', record_id)
      .executeTakeFirstOrThrow();
    await gw.db
      .updateTable('access_log')
      .set({ record: row.record.replace('"status":"Ok"', '"status":"OK"') })
      .where('id', '=', record_id)
      .execute();
    // The heads file edited: the kept head stays at 3, its edge is set at 5 (from the public leaf hashes).
    const leaves = await gw.db
      .selectFrom('merkle_leaves')
      .select('leaf_hash')
      .where('log_id', '=', LOG)
      .orderBy('leaf_index')
      .execute();
    const range = new CompactRange();
    for (const l of leaves.slice(0, 5)) range.append(fromBase64(l.leaf_hash));
    const kept = heads.heads.logs[DEMO_OIN.rvig]?.[LOG];
    expect(kept?.tree_size).toBe(3);
    heads.heads = {
      ...heads.heads,
      logs: {
        [DEMO_OIN.rvig]: {
          [LOG]: {
            ...(kept as NonNullable<typeof kept>),
            entries: { size: 5, edge: range.edge.map((e) => toBase64(e.hash)) },
          },
        },
      },
    };
    const second = await run();
    const log = second.logs.find((l) => l.logId === LOG);
    // Records 3 and 4 were never proven by this auditor: they must be checked (and record 3 found changed);
    // the edge past the kept head is not trusted, so the run checks from the start.
    expect(log?.checkedFrom).toBeLessThanOrEqual(3);
    expect(second.consistent).toBe(false);
  });
});
