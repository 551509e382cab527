import { logNoteKeys, logOrigin, parseLogOrigin, verifyCheckpoint } from '@poortwachter/protocol';
import { DIALECTS, describeDialect } from '@poortwachter/registry/testing';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import { OUTWAY_URL, startTestOutway, type TestOutway } from '../testing/index.ts';
import { startTestWitness, type TestWitness, withWitnesses } from '../testing/test-witness.ts';

const query = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['naam.voornamen'],
};

/** The outway's own log (the afnemer's key, Ed25519 for Utrecht) is witnessed as an inway's is. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `the outway's witnessed log (${dialect})`, () => {
    let t: TestOutway;
    let w: TestWitness;
    let directory: DirectoryProvider | undefined;
    const origin = logOrigin(DEMO_OIN.utrecht, 'outway-1');

    beforeAll(async () => {
      w = await startTestWitness({
        name: 'poortwachter.example/getuige-outway',
        logKeys: (o) => {
          const parsed = parseLogOrigin(o);
          const owner = parsed && directory?.current().organisations.get(parsed.oin);
          return owner ? logNoteKeys(owner, o) : undefined;
        },
      });
      t = await startTestOutway(dialect, {
        directory: (verified) => {
          directory = withWitnesses(verified, () => [w], 1);
          return directory;
        },
        witnesses: { intervalMs: 3_600_000, backoff: { firstMs: 1, maxMs: 1 } },
      });
    });
    afterAll(async () => {
      await t?.close();
      await w?.close();
    });

    it('serves its log checkpoint at /log/v1/checkpoint, cosigned, and readiness lists the witness', async () => {
      expect((await t.send(query)).status).toBe(200);
      await t.outway.signHeads();
      for (let i = 0; i < 3; i++) await t.outway.witnesses?.runNow();
      const res = await t.outway.app.request(`${OUTWAY_URL}/log/v1/checkpoint`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const owner = directory?.current().organisations.get(DEMO_OIN.utrecht);
      const verified = await verifyCheckpoint(await res.text(), {
        logKeys: logNoteKeys(owner, origin),
        policy: { witnesses: [w.key], quorum: 1 },
        origin,
      });
      expect(verified.size).toBe(t.outway.tree.size);
      expect(w.state(origin)?.size).toBe(t.outway.tree.size);
      const ready = (await (await t.outway.app.request(`${OUTWAY_URL}/readyz`)).json()) as {
        witnesses: { witnesses: { name: string; cosigned_size: number }[] };
      };
      expect(ready.witnesses.witnesses).toEqual([
        expect.objectContaining({ name: w.name, cosigned_size: t.outway.tree.size }),
      ]);
    });
  });
}
