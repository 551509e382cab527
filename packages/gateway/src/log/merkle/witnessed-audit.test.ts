import { generateKeyPairSync } from 'node:crypto';
import { logNoteKeys, type NoteKey, parseLogOrigin } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { createAuditorClient, memoryHeadStore, noHeadsSeen } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DirectoryProvider } from '../../directory/directory-provider.ts';
import { startTestGateway, type TestGateway } from '../../testing/index.ts';
import { startTestWitness, type TestWitness, withWitnesses } from '../../testing/test-witness.ts';

const LOG = 'instance-1';

for (const dialect of DIALECTS) {
  describeDialect(dialect, `the auditor checks only heads the witnesses' quorum cosigned (${dialect})`, () => {
    let gw: TestGateway;
    let a: TestWitness;
    let b: TestWitness;
    let directory: DirectoryProvider | undefined;
    const heads = memoryHeadStore();
    // The seeded RvIG key is P-256; its log gets checkpoints with an Ed25519 key of its own.
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'rvig-log-ed25519', alg: 'EdDSA' };
    const logKeys = (o: string): readonly NoteKey[] | undefined => {
      const parsed = parseLogOrigin(o);
      const provider = parsed && directory?.current().organisations.get(parsed.oin);
      return provider ? logNoteKeys(provider, o) : undefined;
    };
    const grow = async () => {
      const res = await gw.send(
        DEMO_OIN.utrecht,
        { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam.voornamen'] },
        { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
      );
      expect(res.status).toBe(200);
      await gw.log.drain();
      await gw.signTreeHead();
      for (let i = 0; i < 3; i++) await gw.collectCosignatures();
    };
    const audit = () => {
      if (!directory) throw new Error('the gateway has not read its directory');
      return createAuditorClient({
        oin: DEMO_OIN.autoriteitPersoonsgegevens,
        privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
        directory: directory.current().snapshot,
        fetch: async (input, init) => gw.app.request(String(input), init),
      }).verifyLogs({ heads, full: true, incremental: true });
    };
    const kept = () => heads.heads.logs[DEMO_OIN.rvig]?.[LOG];

    beforeAll(async () => {
      a = await startTestWitness({ name: 'poortwachter.example/getuige-a', logKeys });
      b = await startTestWitness({ name: 'poortwachter.example/getuige-b', logKeys });
      gw = await startTestGateway(dialect, {
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

    it('takes a head cosigned by both witnesses, and keeps its cosigned checkpoint with it', async () => {
      await grow();
      await grow();
      const run = await audit();
      expect(run.consistent).toBe(true);
      const log = run.logs.find((l) => l.logId === LOG);
      expect(log).toMatchObject({ head: { tree_size: gw.tree.size }, checkedFrom: 0, findings: [] });
      expect([...(log?.witnessed?.cosigners ?? [])].sort()).toEqual([a.name, b.name]);
      expect(log?.witnessed?.quorum).toBe(2);
      expect(log?.notWitnessed).toBeUndefined();
      expect(kept()?.tree_size).toBe(gw.tree.size);
      expect(kept()?.checkpoint).toContain(`— ${b.name} `);
    });

    it('a newer head one witness did not cosign is not yet witnessed: reported, not failed, not kept', async () => {
      const before = gw.tree.size;
      b.setDown(true);
      await grow();
      const run = await audit();
      expect(run.consistent).toBe(true);
      const log = run.logs.find((l) => l.logId === LOG);
      expect(log?.head.tree_size).toBe(before);
      expect(log?.findings).toEqual([]);
      expect(log?.notWitnessed?.tree_size).toBe(gw.tree.size);
      expect(log?.notWitnessed?.reason).toMatch(
        new RegExp(`head ${gw.tree.size} of log ${LOG} is not yet witnessed: only 1 of the 2 witnesses`),
      );
      expect(kept()?.tree_size).toBe(before);

      // The witness back: the head it cosigns now is checked from where the last run proved the entries.
      b.setDown(false);
      gw.witnesses?.retryNow();
      for (let i = 0; i < 3; i++) await gw.collectCosignatures();
      const next = await audit();
      const now = next.logs.find((l) => l.logId === LOG);
      expect(now).toMatchObject({ head: { tree_size: gw.tree.size }, checkedFrom: before, entriesChecked: 1 });
      expect(now?.notWitnessed).toBeUndefined();
      expect(kept()?.tree_size).toBe(gw.tree.size);
    });
  });
}
