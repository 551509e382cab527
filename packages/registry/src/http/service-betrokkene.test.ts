import { brkService, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIALECTS, describeDialect, startTestRegistry, type TestRegistry } from '../testing/index.ts';

interface Problem {
  status: number;
  invalidParams?: { name: string; code: string }[];
}

/** Kadaster's BRK service under a fresh id, offering the betrokkene their data with `anderePersonen`. */
function withAnderePersonen(id: string, anderePersonen: string[]) {
  const { id: _id, ...service } = brkService('https://brk.gateway.test');
  return {
    ...(JSON.parse(JSON.stringify(service)) as Record<string, unknown>),
    id,
    betrokkene: {
      inzageActivityId: DEMO_PROCESSING_ACTIVITY.kadasterInzage,
      operation: 'ZoekKadastraalOnroerendeZakenMetBsn',
      terugmeldingActivityId: DEMO_PROCESSING_ACTIVITY.kadasterTerugmelding,
      anderePersonen,
    },
  };
}

/** Issue 29: where a service's data is about another person than the betrokkene names its own catalogue. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `a service's betrokkene.anderePersonen (${dialect})`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect, { brkGatewayUrl: 'https://brk.gateway.test' });
    });
    afterAll(async () => registry.close());

    it('refuses a path that is not in the catalogue, naming it; keeps and publishes one that is', async () => {
      const refused = await registry.admin(
        'POST',
        '/v1/services',
        withAnderePersonen('brk-anderen', ['zakelijkGerechtigde', 'partners']),
      );
      const problem = (await refused.json()) as Problem;
      expect(refused.status, JSON.stringify(problem)).toBe(400);
      expect(problem.invalidParams?.map((p) => [p.name, p.code])).toEqual([
        ['betrokkene.anderePersonen[1]', 'unknownField'],
      ]);
      const created = await registry.admin(
        'POST',
        '/v1/services',
        withAnderePersonen('brk-anderen', ['zakelijkGerechtigde']),
      );
      expect(created.status, await created.clone().text()).toBe(201);
      const service = (await (await registry.app.request('/v1/services/brk-anderen')).json()) as {
        betrokkene?: { anderePersonen?: string[] };
      };
      expect(service.betrokkene?.anderePersonen).toEqual(['zakelijkGerechtigde']);
    });
  });
}
