import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@poortwachter/operations';
import { signRequest } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { createAuditorClient, fetchDirectory, memoryHeadStore } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createPseudonymiser, logKeyId } from '../log/pseudonym.ts';
import type { TimelinePage } from '../repositories/citizen-timeline.ts';
import { logKeyRecords, reportLogKeyRecords } from '../repositories/log-key-records.ts';
import { signCitizenToken } from '../testing/citizen-token.ts';
import { capturedLogLines, GATEWAY_URL, LOG_KEY, startTestGateway, type TestGateway } from '../testing/index.ts';

const SUZANNE = '999993653';
const NEW_LOG_KEY = new Uint8Array(32).fill(9);
const query = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [SUZANNE],
  fields: ['naam.voornamen'],
};

/**
 * A log-key rotation: records written before it (pseudonym under the old key) and after it (under the
 * new key) are both in the citizen's timeline, as long as the gateway keeps the old key as a previous
 * one (LOG_PREVIOUS_KEY_FILES). Written with one key per record: the current one, whose id each row
 * keeps (`log_key_id`, outside the record and its leaf), so that the operator sees whether records
 * under a previous key remain.
 */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `log-key rotation (${dialect})`, () => {
    let gw: TestGateway;
    let token: string;
    beforeAll(async () => {
      gw = await startTestGateway(dialect);
      const idpKey = JSON.parse(readFileSync(join(gw.registry.keyDir, DEV_IDENTITY_PROVIDER.keyFile), 'utf8')) as JWK;
      token = await signCitizenToken(idpKey, { sub: SUZANNE });
      const before = await gw.send(DEMO_OIN.utrecht, query, {
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      });
      expect(before.status).toBe(200);
      await gw.log.drain();
    });
    afterAll(async () => gw.close());

    /** The citizen's whole timeline at `app`, a record a page (the cursor walks across both keys). */
    const timeline = async (app: TestGateway['app']) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await app.request(
          `${GATEWAY_URL}/inzage/v1/verwerkingen?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        expect(res.status).toBe(200);
        const page = (await res.json()) as TimelinePage;
        ids.push(...page.verwerkingen.map((v) => JSON.stringify(v)));
        cursor = page.volgende;
      } while (cursor);
      return ids.length;
    };

    it('shows records pseudonymised under the old and the new log key in one timeline', async () => {
      const rotated = await gw.secondInstance({ logKey: NEW_LOG_KEY, previousLogKeys: [LOG_KEY] });
      const request = await signRequest({
        url: `${GATEWAY_URL}/personen`,
        body: JSON.stringify(query),
        privateKey: gw.key(DEMO_OIN.utrecht),
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      });
      const after = await rotated.request(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      expect(after.status, await after.clone().text()).toBe(200);
      const subjects = (await gw.accessRecords()).map((r) => r.data_subject_id);
      expect(subjects.sort()).toEqual(
        [createPseudonymiser(LOG_KEY)(SUZANNE), createPseudonymiser(NEW_LOG_KEY)(SUZANNE)].sort(),
      );
      expect(await timeline(rotated)).toBe(2);
      // Without the previous key the records of before the rotation are lost to the citizen; the old
      // key alone does not find the new record.
      expect(await timeline(await gw.secondInstance({ logKey: NEW_LOG_KEY }))).toBe(1);
      expect(await timeline(gw.app)).toBe(1);
    });

    it('keeps on each record the id of the key that made its pseudonym, outside the record', async () => {
      const rows = await gw.db.selectFrom('access_log').select(['data_subject_id', 'log_key_id', 'record']).execute();
      const idOf = new Map(
        [LOG_KEY, NEW_LOG_KEY].map((key) => [createPseudonymiser(key)(SUZANNE), logKeyId(key)] as const),
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row.log_key_id).toBe(idOf.get(row.data_subject_id ?? ''));
      expect(new Set(rows.map((r) => r.log_key_id)).size).toBe(2);
      // A short public id (16 hex), not the key; and not in the record the leaf is made of.
      expect(logKeyId(NEW_LOG_KEY)).toMatch(/^[0-9a-f]{16}$/);
      for (const key of [LOG_KEY, NEW_LOG_KEY]) {
        expect(logKeyId(key)).not.toContain(Buffer.from(key).toString('hex').slice(0, 16));
      }
      for (const row of rows) {
        expect(row.record).not.toContain(row.log_key_id);
        expect(Object.keys(JSON.parse(row.record) as object)).not.toContain('log_key_id');
      }
    });

    it("leaves the log's leaves as they were: the auditor verifies both instances' logs with no finding", async () => {
      await gw.signTreeHead();
      const fetchImpl: typeof fetch = async (input, init) => gw.app.request(String(input), init);
      const directory = await fetchDirectory({
        registryUrl: 'http://registry.test',
        registryKey: gw.registry.registryPublicKey,
        fetch: async (input, init) => gw.registry.app.request(String(input), init),
      });
      const auditor = createAuditorClient({
        oin: DEMO_OIN.autoriteitPersoonsgegevens,
        privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
        directory,
        fetch: fetchImpl,
      });
      const run = await auditor.verifyLogs({ heads: memoryHeadStore(), full: true });
      expect(run.logs.length).toBeGreaterThanOrEqual(2);
      expect(run.logs.flatMap((l) => l.findings)).toEqual([]);
      expect(run.logs.reduce((n, l) => n + l.head.tree_size, 0)).toBe(2);
    });

    it('tells the operator at start, per previous key, whether records under it remain', async () => {
      // The rotated instance above was started with the old key as a previous one: it said so.
      const lines = () =>
        capturedLogLines
          .map(
            (line) =>
              JSON.parse(line) as { event?: string; log_key_id?: string | null; records?: boolean; msg?: string },
          )
          .filter((entry) => entry.event === 'log_key_records');
      await vi.waitFor(() => expect(lines().some((l) => l.log_key_id === logKeyId(LOG_KEY))).toBe(true));
      const startLine = lines().find((l) => l.log_key_id === logKeyId(LOG_KEY));
      expect(startLine?.records).toBe(true);
      expect(startLine?.msg).toContain('keep it in LOG_PREVIOUS_KEY_FILES');

      const gone = 'ffffffffffffffff';
      expect(await logKeyRecords(gw.db, [logKeyId(LOG_KEY), gone])).toEqual([
        { keyId: logKeyId(LOG_KEY), records: true, purged: false },
        { keyId: gone, records: false, purged: false },
        { keyId: null, records: false, purged: false },
      ]);
      const said: string[] = [];
      const logger = createLogger('test', { level: 'info', destination: { write: (line: string) => said.push(line) } });
      await reportLogKeyRecords(gw.db, logKeyId(NEW_LOG_KEY), [gone], logger);
      expect(said.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
        `previous log key ${gone}: no records remain; it may be dropped from LOG_PREVIOUS_KEY_FILES`,
      ]);
      // Nothing to say when no key is previous (no rotation under way): no query at all.
      said.length = 0;
      await reportLogKeyRecords(gw.db, logKeyId(NEW_LOG_KEY), [], logger);
      expect(said).toEqual([]);
      // Rows of before the ids were kept (null) are named as such.
      await gw.db
        .updateTable('access_log')
        .set({ log_key_id: null })
        .where('log_key_id', '=', logKeyId(LOG_KEY))
        .execute();
      await reportLogKeyRecords(gw.db, logKeyId(NEW_LOG_KEY), [logKeyId(LOG_KEY)], logger);
      expect(said.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
        `previous log key ${logKeyId(LOG_KEY)}: no records remain; it may be dropped from LOG_PREVIOUS_KEY_FILES`,
        'records remain from before log key ids were kept: keep the key that was current then',
      ]);
    });
  });
}
