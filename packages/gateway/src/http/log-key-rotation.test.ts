import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPseudonymiser } from '../log/pseudonym.ts';
import type { TimelinePage } from '../repositories/citizen-timeline.ts';
import { signCitizenToken } from '../testing/citizen-token.ts';
import { GATEWAY_URL, LOG_KEY, startTestGateway, type TestGateway } from '../testing/index.ts';

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
 * one (LOG_PREVIOUS_KEY_FILES). Written with one key per record: the current one.
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
  });
}
