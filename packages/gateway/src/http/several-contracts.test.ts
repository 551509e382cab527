import { grantByContract } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/index.ts';

const SUZANNE = '999993653';
const ask = (fields: string[]) => ({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [SUZANNE],
  fields,
});

/**
 * An afnemer that wants more fields proposes a second contract under the same activity, while the first
 * still holds: once both parties signed it, a query the second covers is answered, whichever of the two
 * the directory lists first; a query that no single contract covers stays refused (each access is
 * decided on one contract).
 */
describe('several contracts in force under one verwerkingsactiviteit', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => gw.close());

  const send = (fields: string[]) =>
    gw.send(DEMO_OIN.haarlem, ask(fields), { processingActivity: DEMO_PROCESSING_ACTIVITY.haarlemBijstand });

  it('answers from the contract that covers the query', async () => {
    // The seeded contract covers the name, not the place of birth.
    expect((await send(['naam.geslachtsnaam'])).status).toBe(200);
    const before = await send(['geboorte.plaats']);
    expect(before.status, await before.clone().text()).toBe(403);

    await grantByContract(gw.registry.app.request, gw.registry.keyDir, {
      afnemerOin: DEMO_OIN.haarlem,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
      fields: ['burgerservicenummer', 'geboorte.plaats'],
      searchTypes: ['RaadpleegMetBurgerservicenummer'],
    });
    await gw.refreshDirectory();

    const second = await send(['geboorte.plaats']);
    expect(second.status, await second.clone().text()).toBe(200);
    expect(JSON.stringify(await second.json())).toContain('geboorte');
    expect((await send(['naam.geslachtsnaam'])).status).toBe(200);
    // Neither contract covers both fields: refused, naming the field the first one lacks.
    const both = await send(['naam.geslachtsnaam', 'geboorte.plaats']);
    expect(both.status).toBe(403);
    expect(await both.text()).toContain('geboorte.plaats');
  });
});
