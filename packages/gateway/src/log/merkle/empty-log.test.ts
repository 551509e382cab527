import { createAuditorClient, fetchDirectory, memoryHeadStore } from '@poortwachter/sdk';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/index.ts';

/**
 * An auditor that first saw a log empty (a gateway just started) has nothing to check the next head
 * against: every tree extends the empty one. That is "consistent", not a fork.
 */
describe('an auditor who saw a log while it was empty', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => gw?.close());

  it('finds it consistent on the next run, empty still and once it has grown', async () => {
    const directory = await fetchDirectory({
      registryUrl: 'http://registry.test',
      registryKey: gw.registry.registryPublicKey,
      fetch: async (input, init) => gw.registry.app.request(String(input), init),
    });
    const auditor = createAuditorClient({
      oin: DEMO_OIN.autoriteitPersoonsgegevens,
      privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
      directory,
      fetch: async (input, init) => gw.app.request(String(input), init),
    });
    const heads = memoryHeadStore();
    await gw.signTreeHead();
    const sizes = async () => {
      const run = await auditor.verifyLogs({ heads, full: true });
      expect(run.logs.flatMap((l) => l.findings)).toEqual([]);
      expect(run.consistent).toBe(true);
      return run.logs.map((l) => l.head.tree_size);
    };
    expect(await sizes()).toEqual([0]);
    expect(await sizes()).toEqual([0]);
    const res = await gw.send(
      DEMO_OIN.utrecht,
      { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam.voornamen'] },
      { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
    );
    expect(res.status).toBe(200);
    await gw.log.drain();
    await gw.signTreeHead();
    expect(await sizes()).toEqual([1]);
  });
});
