import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOperationalLog, startTestGateway, type TestGateway } from '../testing/index.ts';

const SUZANNE = '999993653';
const raadpleeg = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [SUZANNE],
  fields: ['naam.voornamen'],
};

/**
 * The refusals the broader suites do not reach, each from the registry's side of things (a grondslag,
 * a verwerkingsactiviteit or the service revoked) or the source's (too many results): answered with
 * their code, recorded, and logged as a line without personal data (checked last).
 */
describe('refusals that follow from the registry and the source', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
  });
  afterAll(async () => gw.close());

  const expectRefusal = async (res: Response, status: number, reason: string) => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    expect(body).not.toContain(SUZANNE);
    expect((await gw.refusals()).map((r) => r.reason)).toContain(reason);
  };
  const send = (processingActivity: string = DEMO_PROCESSING_ACTIVITY.utrechtWmo) =>
    gw.send(DEMO_OIN.utrecht, raadpleeg, { processingActivity });
  const revoke = async (path: string) => {
    expect((await gw.registry.admin('POST', `${path}/revoke`, {})).status).toBe(200);
    await gw.refreshDirectory();
  };

  it('tooManyResults: the source found more than it may return', async () => {
    gw.source.state.mode = 'tooManyResults';
    try {
      await expectRefusal(await send(), 400, 'tooManyResults');
    } finally {
      gw.source.state.mode = 'ok';
    }
  });

  it('grondslagNotInForce: the verwerkingsactiviteit rests on a grondslag that was revoked', async () => {
    const activities = (await (await gw.registry.app.request('/v1/processing-activities')).json()) as {
      id: string;
      versions: { grondslagIds?: string[]; grondslagen?: string[] }[];
    }[];
    const wmo = activities.find((a) => a.id === DEMO_PROCESSING_ACTIVITY.utrechtWmo);
    const version = wmo?.versions.at(-1) as Record<string, unknown> | undefined;
    const grondslag = (version?.grondslagIds ?? version?.grondslagen ?? [version?.grondslagId]) as string[];
    expect(grondslag[0]).toBeTruthy();
    await revoke(`/v1/grondslagen/${encodeURIComponent(grondslag[0] as string)}`);
    await expectRefusal(await send(), 403, 'grondslagNotInForce');
  });

  it('processingActivityNotInForce: the verwerkingsactiviteit itself was revoked', async () => {
    await revoke(`/v1/processing-activities/${encodeURIComponent(DEMO_PROCESSING_ACTIVITY.utrechtWmo)}`);
    await expectRefusal(await send(), 403, 'processingActivityNotInForce');
  });

  it('serviceNotFound: the service was withdrawn from the directory', async () => {
    await revoke('/v1/services/brp-personen');
    await expectRefusal(await send(DEMO_PROCESSING_ACTIVITY.utrechtJeugd), 404, 'serviceNotFound');
  });
});

describeOperationalLog(['tooManyResults', 'grondslagNotInForce', 'processingActivityNotInForce', 'serviceNotFound']);
