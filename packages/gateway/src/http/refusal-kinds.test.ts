import { findContractHash, signContractAs } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOperationalLog, GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';

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
  /** Revokes a registry record: as the operator, or as the organisation whose record it is. */
  const revoke = async (path: string, asOrganisation?: string) => {
    const res = asOrganisation
      ? await gw.registry.asOrganisation(asOrganisation, 'POST', `${path}/revoke`, {})
      : await gw.registry.admin('POST', `${path}/revoke`, {});
    expect(res.status, await res.clone().text()).toBe(200);
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

  it('noAutorisatie: every contract under the verwerkingsactiviteit was revoked', async () => {
    const terms = {
      afnemerOin: DEMO_OIN.utrecht,
      serviceId: 'brp-personen',
      processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtJeugd,
    };
    const hash = await findContractHash(gw.registry.app.request, terms);
    const revoked = await signContractAs(
      gw.registry.app.request,
      gw.registry.keyDir,
      DEMO_OIN.utrecht,
      hash,
      'revoke',
      'Beëindigd.',
    );
    expect(revoked.status).toBe(200);
    await gw.refreshDirectory();
    await expectRefusal(await send(DEMO_PROCESSING_ACTIVITY.utrechtJeugd), 403, 'noAutorisatie');
  });

  it('treeHeadPending: a proof asked for before a tree head covers the record', async () => {
    expect((await send()).status).toBe(200);
    // The newest record (Suzanne's, just made); no head has been signed since.
    const newest = await gw.db.selectFrom('access_log').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const token = await gw.citizenToken({ sub: SUZANNE });
    const proof = await gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen/${newest.id}/bewijs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(proof.status).toBe(503);
    expect(proof.headers.get('retry-after')).toBe('1');
    expect((await gw.refusals()).map((r) => r.reason)).toContain('treeHeadPending');
  });

  it('processingActivityChanged: the afnemer registered a new version of its activity alone after the contract', async () => {
    const bijstand = DEMO_PROCESSING_ACTIVITY.haarlemBijstand;
    const path = `/v1/processing-activities/${encodeURIComponent(bijstand)}`;
    const ask = () => gw.send(DEMO_OIN.haarlem, raadpleeg, { processingActivity: bijstand });
    expect((await ask()).status).toBe(200);
    const { versions } = (await (await gw.registry.app.request(path)).json()) as {
      versions: {
        version: number;
        name: string;
        doel: string;
        responsibleOin: string;
        bewaartermijn: string;
        vertrouwelijkheid: string;
      }[];
    };
    const signed = versions.at(-1);
    expect(signed?.version).toBe(1);
    // Haarlem alone: another purpose on another grondslag, under the same activity id.
    const changed = await gw.registry.asOrganisation(DEMO_OIN.haarlem, 'PUT', path, {
      name: 'Verkoop van adresbestanden',
      doel: 'Adressen verkopen aan derden.',
      grondslagIds: ['gemeentewet-art-220'],
      responsibleOin: DEMO_OIN.haarlem,
      bewaartermijn: signed?.bewaartermijn,
      vertrouwelijkheid: signed?.vertrouwelijkheid,
    });
    expect(changed.status, await changed.clone().text()).toBe(200);
    await gw.refreshDirectory();
    const res = await ask();
    expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_DENIED');
    expect(((await res.clone().json()) as { detail: string }).detail).toBe(
      'De verwerkingsactiviteit is gewijzigd (nu versie 2). Het contract geldt voor versie 1. Een nieuw contract is nodig.',
    );
    await expectRefusal(res, 403, 'processingActivityChanged');
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
    await revoke(
      `/v1/processing-activities/${encodeURIComponent(DEMO_PROCESSING_ACTIVITY.utrechtWmo)}`,
      DEMO_OIN.utrecht,
    );
    await expectRefusal(await send(), 403, 'processingActivityNotInForce');
  });

  it('internal: an unexpected failure (a table missing) is a 500 that says nothing of the cause', async () => {
    const newest = await gw.db.selectFrom('access_log').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const token = await gw.citizenToken({ sub: SUZANNE });
    await sql`ALTER TABLE merkle_heads RENAME TO merkle_heads_away`.execute(gw.db);
    let res: Response;
    try {
      res = await gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen/${newest.id}/bewijs`, {
        headers: { authorization: `Bearer ${token}` },
      });
    } finally {
      await sql`ALTER TABLE merkle_heads_away RENAME TO merkle_heads`.execute(gw.db);
    }
    const body = await res.text();
    expect(res.status).toBe(500);
    expect(body).not.toContain('merkle_heads');
    expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_INTERNAL');
  });

  it('serviceNotFound: the service was withdrawn from the directory', async () => {
    await revoke('/v1/services/brp-personen');
    await expectRefusal(await send(DEMO_PROCESSING_ACTIVITY.utrechtJeugd), 404, 'serviceNotFound');
  });
});

describeOperationalLog([
  'noAutorisatie',
  'processingActivityChanged',
  'tooManyResults',
  'grondslagNotInForce',
  'processingActivityNotInForce',
  'serviceNotFound',
]);
