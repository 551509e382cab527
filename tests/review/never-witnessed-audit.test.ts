/**
 * Review of issue 30, promise 4: the auditor's log verify never skips a record it should check. With
 * witnesses in the directory, a log whose heads no quorum ever cosigns (the bronhouder never submits
 * them, or its witnesses stay down) is "not yet witnessed": nothing is checked, nothing is kept, and the
 * run is `consistent` (`log verify` prints WAIT and exits 0), for ever, while a record in it was changed.
 * Review finding (medium); failed on main at 69a65dd, fixed since.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DirectoryProvider } from '@poortwachter/gateway';
import { startTestGateway, type TestGateway } from '@poortwachter/gateway/testing';
import { logNoteKeys, type NoteKey, parseLogOrigin } from '@poortwachter/protocol';
import { describeDialect } from '@poortwachter/registry/testing';
import { createAuditorClient, memoryHeadStore, noHeadsSeen } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestWitness, type TestWitness, withWitnesses } from '../../packages/gateway/src/testing/test-witness.ts';

const LOG = 'instance-1';

describeDialect('sqlite', 'review: a log that is never witnessed, audited', () => {
  let gw: TestGateway;
  let a: TestWitness;
  let b: TestWitness;
  let directory: DirectoryProvider | undefined;
  const heads = memoryHeadStore();
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'rvig-log-ed25519', alg: 'EdDSA' };
  const logKeys = (o: string): readonly NoteKey[] | undefined => {
    const parsed = parseLogOrigin(o);
    const provider = parsed && directory?.current().organisations.get(parsed.oin);
    return provider ? logNoteKeys(provider, o) : undefined;
  };

  beforeAll(async () => {
    a = await startTestWitness({ name: 'review.example/getuige-a', logKeys });
    b = await startTestWitness({ name: 'review.example/getuige-b', logKeys });
    a.setDown(true);
    b.setDown(true);
    gw = await startTestGateway('sqlite', {
      signingKey: key,
      directory: (verified) => {
        directory = withWitnesses(verified, () => [a, b], 2, { oin: DEMO_OIN.rvig, key });
        return directory;
      },
      witnesses: { intervalMs: 3_600_000, backoff: { firstMs: 1, maxMs: 1 } },
    });
    heads.heads = noHeadsSeen();
  });
  afterAll(async () => {
    await gw?.close();
    await a?.close();
    await b?.close();
  });

  it('a changed record in a never-witnessed log is still found by a full log verify', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await gw.send(
        DEMO_OIN.utrecht,
        { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam.voornamen'] },
        { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
      );
      expect(res.status).toBe(200);
    }
    await gw.log.drain();
    await gw.signTreeHead();
    for (let i = 0; i < 3; i++) await gw.collectCosignatures();
    // The bronhouder changes a logged record afterwards.
    const leaf = await gw.db
      .selectFrom('merkle_leaves')
      .select('record_id')
      .where('log_id', '=', LOG)
      .where('leaf_index', '=', 1)
      .executeTakeFirstOrThrow();
    const row = await gw.db
      .selectFrom('access_log')
      .select('record')
      .where('id', '=', leaf.record_id)
      .executeTakeFirstOrThrow();
    await gw.db
      .updateTable('access_log')
      .set({ record: row.record.replace('"status":"Ok"', '"status":"OK"') })
      .where('id', '=', leaf.record_id)
      .execute();

    if (!directory) throw new Error('no directory');
    const run = await createAuditorClient({
      oin: DEMO_OIN.autoriteitPersoonsgegevens,
      privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
      directory: directory.current().snapshot,
      fetch: async (input, init) => gw.app.request(String(input), init),
    }).verifyLogs({ heads, full: true, incremental: true });
    const log = run.logs.find((l) => l.logId === LOG);
    expect(log?.notWitnessed?.tree_size).toBe(gw.tree.size);
    // Without a witnessed head the records are still checked, against the newest signed head: the
    // changed record is found, so the run is not "consistent".
    expect(log?.entriesChecked).toBe(gw.tree.size);
    expect(log?.findings.some((f) => f.includes('CHANGED'))).toBe(true);
    expect(run.consistent).toBe(false);
  });
});
