import type { DirectorySnapshot } from '@poortwachter/protocol';
import { signRequest, uuidv7 } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import {
  createAuditorClient,
  createCitizenClient,
  fetchDirectory,
  listSeenHeads,
  memoryHeadStore,
  noHeadsSeen,
  registryHistory,
  trustedBy,
} from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAccessLogStore, toRow } from '../../storage/access-log-store.ts';
import type { AccessRecord } from '../../storage/access-record.ts';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '../../testing/index.ts';
import { loadTree } from './merkle-store.ts';
import { signTreeHead } from './tree-heads.ts';

const SUZANNE = '999993653';
const OTHER = '999995078';
const LOG = 'instance-1';

for (const dialect of DIALECTS) {
  describeDialect(dialect, `tampering with the stored log is detected by the sdk (${dialect})`, () => {
    let gw: TestGateway;
    let directory: DirectorySnapshot;
    let token: string;
    const heads = memoryHeadStore();

    const fetchImpl: typeof fetch = async (input, init) => gw.app.request(String(input), init);
    const citizen = () => createCitizenClient({ token, directory, fetch: fetchImpl });
    const auditor = () =>
      createAuditorClient({
        oin: DEMO_OIN.autoriteitPersoonsgegevens,
        privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
        directory,
        fetch: fetchImpl,
        // The auditor's own copy of the registry's history, verified against the pinned key.
        history: registryHistory({
          registryUrl: 'http://registry.test',
          registryKey: gw.registry.registryPublicKey,
          fetch: async (input, init) => gw.registry.app.request(String(input), init),
        }),
      });
    const today = () => new Date().toISOString().slice(0, 10);
    const verifiedCoverage = async () => {
      const { reports } = await auditor().coverage({ from: today(), to: today(), verify: true, pollIntervalMs: 20 });
      expect(reports).toHaveLength(1);
      return { report: reports[0]?.report, verification: reports[0]?.verification };
    };
    const query = async (bsn: string) => {
      const res = await gw.send(
        DEMO_OIN.utrecht,
        { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: ['naam.voornamen'] },
        { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
      );
      expect(res.status).toBe(200);
    };
    /** A query the autorisatie does not cover: refused (403), and its refusal a leaf of the log. */
    const refuseOne = async () => {
      const res = await gw.send(
        DEMO_OIN.utrecht,
        {
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: [SUZANNE],
          fields: ['partners.naam.voornamen'],
        },
        { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
      );
      expect(res.status).toBe(403);
    };
    const leaves = () =>
      gw.db
        .selectFrom('merkle_leaves')
        .select(['leaf_index', 'record_id'])
        .where('log_id', '=', LOG)
        .orderBy('leaf_index')
        .execute();

    beforeEach(async () => {
      gw = await startTestGateway(dialect);
      directory = await fetchDirectory({
        registryUrl: 'http://registry.test',
        registryKey: gw.registry.registryPublicKey,
        fetch: async (input, init) => gw.registry.app.request(String(input), init),
        // The auditor's own trust step: the autorisaties (and who accepted them) from signatures it verified.
        trust: trustedBy(gw.registry.trustAnchors),
      });
      token = await gw.citizenToken({ sub: SUZANNE });
      for (const bsn of [SUZANNE, OTHER, SUZANNE, OTHER, SUZANNE]) await query(bsn);
      await gw.log.drain();
      await gw.signTreeHead();
      heads.heads = noHeadsSeen();
      // Before any tampering: every record proven, the log consistent, and its head remembered.
      const timeline = await citizen().accessLog({ verify: true });
      expect(timeline.records).toHaveLength(3);
      expect(timeline.records.map((r) => r.inLog?.verified)).toEqual([true, true, true]);
      const first = await auditor().verifyLogs({ heads, full: true });
      expect(first.logs.map((l) => [l.logId, l.head.tree_size, l.findings])).toEqual([[LOG, 5, []]]);
      expect(listSeenHeads(heads.heads)).toHaveLength(1);
    });
    afterEach(async () => gw.close());

    it('two instances on one database keep a log each; the timeline merges them, every record proven', async () => {
      const second = await gw.secondInstance();
      const request = await signRequest({
        url: `${GATEWAY_URL}/personen`,
        body: JSON.stringify({
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: [SUZANNE],
          fields: ['naam.voornamen'],
        }),
        privateKey: gw.key(DEMO_OIN.utrecht),
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      });
      const res = await second.request(request.url, { method: 'POST', headers: request.headers, body: request.body });
      expect(res.status).toBe(200);
      await gw.signTreeHead();
      const timeline = await citizen().accessLog({ verify: true });
      expect(timeline.records).toHaveLength(4);
      const logs = timeline.records.map((r) =>
        r.inLog?.verified ? r.inLog.logId : `unproven: ${JSON.stringify(r.inLog)}`,
      );
      expect(new Set(logs)).toEqual(new Set([LOG, 'instance-2']));
      const audit = await auditor().verifyLogs({ heads, full: true });
      expect(audit.logs.map((l) => [l.logId, l.head.tree_size, l.findings])).toEqual([
        [LOG, 5, []],
        ['instance-2', 1, []],
      ]);
    });

    it('a changed byte in a record: the citizen sees that record unproven, the auditor names it', async () => {
      const [target] = await leaves();
      const row = await gw.db
        .selectFrom('access_log')
        .select('record')
        .where('id', '=', target?.record_id ?? '')
        .executeTakeFirstOrThrow();
      const changed = row.record.replace('"status":"Ok"', '"status":"OK"');
      expect(changed).not.toBe(row.record);
      await gw.db
        .updateTable('access_log')
        .set({ record: changed })
        .where('id', '=', target?.record_id ?? '')
        .execute();

      const timeline = await citizen().accessLog({ verify: true });
      const tampered = timeline.records.find((r) => r.id === target?.record_id);
      expect(tampered?.inLog).toMatchObject({ verified: false });
      expect(tampered?.inLog?.verified === false && tampered.inLog.reason).toContain(target?.record_id);
      expect(timeline.records.filter((r) => r.inLog?.verified)).toHaveLength(2);

      const audit = await auditor().verifyLogs({ heads, full: true });
      expect(audit.consistent).toBe(false);
      expect(audit.logs[0]?.findings.join('\n')).toContain(`record ${target?.record_id} (leaf 0) was CHANGED`);
    });

    it('a column edited behind the record: the citizen sees the timeline does not match the log', async () => {
      const [target] = await leaves();
      await gw.db
        .updateTable('access_log')
        .set({ foreign_processor: DEMO_OIN.haarlem })
        .where('id', '=', target?.record_id ?? '')
        .execute();
      const timeline = await citizen().accessLog({ verify: true });
      const shown = timeline.records.find((r) => r.id === target?.record_id);
      expect(shown?.organisatie.naam).toBe('Gemeente Haarlem');
      expect(shown?.inLog?.verified === false && shown.inLog.reason).toMatch(/shows something else than the log holds/);
    });

    it('a column a report reads, edited behind the record: the auditor names the record and the column', async () => {
      const [, target] = await leaves();
      await gw.db
        .updateTable('access_log')
        .set({ released_fields: JSON.stringify(['naam.voornamen', 'partners.naam.voornamen']) })
        .where('id', '=', target?.record_id ?? '')
        .execute();
      const audit = await auditor().verifyLogs({ heads, full: true });
      expect(audit.consistent).toBe(false);
      const finding = audit.logs[0]?.findings.join('\n') ?? '';
      expect(finding).toContain(`record ${target?.record_id} (leaf 1): a column that reports read was EDITED`);
      expect(finding).toContain('released_fields');
    });

    it("the coverage report names its heads, and the auditor's recomputation from proven entries agrees", async () => {
      const { report, verification } = await verifiedCoverage();
      expect(report?.heads.map((h) => [h.log_id, h.tree_size])).toEqual([[LOG, 5]]);
      expect(report?.totals.accesses).toBe(5);
      expect(verification).toMatchObject({ verified: true, differences: [], entries: 5 });
    });

    it('a column edited behind the records changes the report, and the recomputation names the difference', async () => {
      const rows = await leaves();
      for (const row of rows) {
        await gw.db
          .updateTable('access_log')
          .set({ released_fields: JSON.stringify(['verblijfplaats.verblijfadres.postcode']) })
          .where('id', '=', row.record_id)
          .execute();
      }
      const { report, verification } = await verifiedCoverage();
      const utrecht = report?.rows.find((r) => r.afnemer.oin === DEMO_OIN.utrecht && r.accesses > 0);
      expect(utrecht?.fieldsUsed).toEqual(['verblijfplaats.verblijfadres.postcode']);
      expect(verification?.verified).toBe(false);
      const listed = verification?.differences.join('\n') ?? '';
      expect(listed).toMatch(
        /fieldsUsed: the gateway says \["verblijfplaats.verblijfadres.postcode"\], recomputed \["naam.voornamen"\]/,
      );
      expect(listed).toContain('a column that reports read was EDITED');
    });

    it('a record inserted behind the log, or a refusal deleted, is a difference the auditor finds', async () => {
      await refuseOne();
      expect((await verifiedCoverage()).verification?.verified).toBe(true);
      await gw.db.deleteFrom('refusals').execute();
      // A forged row that claims a position inside the head.
      const [template] = await gw.db.selectFrom('access_log').select('record').limit(1).execute();
      const record = JSON.parse(template?.record ?? '{}') as AccessRecord;
      const id = uuidv7(Date.now());
      await gw.db
        .insertInto('access_log')
        .values({ ...toRow({ id, record: { ...record, start_time: Date.now() } }), log_id: LOG, leaf_index: 1 })
        .execute();
      const { report, verification } = await verifiedCoverage();
      expect(report?.totals.refusals).toBe(0);
      expect(verification?.verified).toBe(false);
      const listed = verification?.differences.join('\n') ?? '';
      expect(listed).toMatch(/totals\.accesses: the gateway says 6, recomputed 5/);
      // The deleted refusal's leaf is still in the signed tree: its entry is gone.
      expect(listed).toMatch(/\(leaf 5\) is MISSING/);
    });

    it('a refusal is in the log too: an edited or deleted refusal is found', async () => {
      await refuseOne();
      await gw.log.drain();
      await gw.signTreeHead();
      expect((await auditor().verifyLogs({ heads, full: true })).consistent).toBe(true);
      const row = await gw.db.selectFrom('refusals').select(['id', 'leaf_index']).executeTakeFirstOrThrow();
      expect(Number(row.leaf_index)).toBe(5);
      await gw.db.updateTable('refusals').set({ reason: 'sourceTimeout' }).where('id', '=', row.id).execute();
      const edited = await auditor().verifyLogs({ heads, full: true });
      expect(edited.logs[0]?.findings.join('\n')).toContain(`refusal ${row.id} (leaf 5) was CHANGED`);
      await gw.db.deleteFrom('refusals').where('id', '=', row.id).execute();
      const deleted = await auditor().verifyLogs({ heads, full: true });
      expect(deleted.logs[0]?.findings.join('\n')).toContain(`record ${row.id} (leaf 5) is MISSING`);
    });

    it('a deleted record: the auditor names the leaf whose record is gone', async () => {
      const all = await leaves();
      const target = all[2];
      await gw.db
        .deleteFrom('access_log')
        .where('id', '=', target?.record_id ?? '')
        .execute();
      const audit = await auditor().verifyLogs({ heads, full: true });
      expect(audit.logs[0]?.findings.join('\n')).toContain(`record ${target?.record_id} (leaf 2) is MISSING`);
    });

    it('a forged record: the citizen sees it is not in the log', async () => {
      const [template] = await gw.db
        .selectFrom('access_log')
        .select(['record', 'data_subject_id'])
        .where('data_subject_id', 'is not', null)
        .limit(1)
        .execute();
      const record = JSON.parse(template?.record ?? '{}') as AccessRecord;
      const id = uuidv7(Date.now());
      const forged = { ...record, start_time: Date.now(), end_time: Date.now() + 1 };
      await gw.db
        .insertInto('access_log')
        .values({ ...toRow({ id, record: forged }), data_subject_id: template?.data_subject_id ?? null })
        .execute();
      const timeline = await citizen().accessLog({ verify: true });
      const shown = timeline.records.find((r) => r.id === id);
      expect(shown?.inLog?.verified === false && shown.inLog.reason).toMatch(
        new RegExp(`record ${id} .*not in the verifiable log`),
      );
    });

    it('two records reordered: the citizen’s proofs and the auditor’s rebuilt root both fail', async () => {
      const [a, b] = await leaves();
      // Swap the positions of the first two leaves (an attacker reorders the log).
      await gw.db
        .updateTable('merkle_leaves')
        .set({ leaf_index: -1 })
        .where('log_id', '=', LOG)
        .where('leaf_index', '=', 0)
        .execute();
      await gw.db
        .updateTable('merkle_leaves')
        .set({ leaf_index: 0 })
        .where('log_id', '=', LOG)
        .where('leaf_index', '=', 1)
        .execute();
      await gw.db
        .updateTable('merkle_leaves')
        .set({ leaf_index: 1 })
        .where('log_id', '=', LOG)
        .where('leaf_index', '=', -1)
        .execute();
      const audit = await auditor().verifyLogs({ heads, full: true });
      expect(audit.logs[0]?.findings.join('\n')).toContain('do not lead to its signed root for size 5');
      const timeline = await citizen().accessLog({ verify: true });
      const moved = timeline.records.filter((r) => r.id === a?.record_id || r.id === b?.record_id);
      expect(moved.length).toBeGreaterThan(0);
      for (const r of moved) expect(r.inLog?.verified).toBe(false);
    });

    it('rolled back and grown again differently (a fork): the auditor reports both heads', async () => {
      // Roll back to 3 leaves: drop the last two records, their leaves, the subtrees over them and later heads.
      const dropped = (await leaves()).slice(3).map((l) => l.record_id);
      await gw.db.deleteFrom('access_log').where('id', 'in', dropped).execute();
      await gw.db.deleteFrom('merkle_leaves').where('log_id', '=', LOG).where('leaf_index', '>=', 3).execute();
      await gw.db
        .deleteFrom('merkle_nodes')
        .where('log_id', '=', LOG)
        .where(sql<boolean>`(node_index + 1) * (1 << level) > 3`)
        .execute();
      await gw.db.deleteFrom('merkle_heads').where('log_id', '=', LOG).execute();
      // Grow again to 6 with other records, and sign as the bronhouder.
      const tree = await loadTree(gw.db, LOG);
      expect(tree.size).toBe(3);
      const [template] = await gw.db.selectFrom('access_log').select('record').limit(1).execute();
      const base = JSON.parse(template?.record ?? '{}') as AccessRecord;
      const other = [0, 1, 2].map((i) => ({
        id: uuidv7(Date.now() + i),
        record: { ...base, start_time: Date.now() + i },
      }));
      const append = tree.prepare(other);
      await createAccessLogStore(gw.db).writeBatch([{ accessRecords: other }], append);
      append.commit();
      const payload = {
        log_id: LOG,
        tree_size: tree.size,
        root_hash: Buffer.from(tree.root()).toString('base64'),
        timestamp: Date.now(),
      };
      const jws = await signTreeHead(gw.key(DEMO_OIN.rvig), payload);
      await gw.db
        .insertInto('merkle_heads')
        .values({ ...payload, jws })
        .execute();

      const audit = await auditor().verifyLogs({ heads });
      const findings = audit.logs[0]?.findings.join('\n') ?? '';
      expect(audit.consistent).toBe(false);
      expect(findings).toMatch(
        /FORK or REWRITE of log instance-1: the head of size 5 .* is not a prefix of the head of size 6/,
      );
      // The alarm repeats: the forked head was not remembered.
      expect(listSeenHeads(heads.heads)[0]?.head.tree_size).toBe(5);
    });
  });
}
