import type { DirectorySnapshot } from '@poortwachter/protocol';
import {
  createAuditorClient,
  createCitizenClient,
  createOrganisationClient,
  fetchDirectory,
  isSdkError,
} from '@poortwachter/sdk';
import { brpService, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';

const SUZANNE = '999993653';
const DOWN = 'https://down.gateway.test';

/** The sdk's citizen and auditor clients against a real gateway, plus a second gateway that is down. */
describe('citizen and auditor clients', () => {
  let gw: TestGateway;
  let directory: DirectorySnapshot;
  let token: string;
  let tamper = false;

  // The test gateway in-process; the second service's gateway cannot be reached.
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = String(input);
    if (url.startsWith(DOWN)) throw new TypeError('fetch failed');
    const res = await gw.app.request(url, init);
    if (!tamper || !url.includes('/inzage/')) return res;
    const body = (await res.text()).replace('Gemeente Utrecht', 'Gemeente Utrecht!');
    return new Response(body, { status: res.status, headers: res.headers });
  };

  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    const created = await gw.registry.admin('POST', '/v1/services', {
      ...brpService(DOWN),
      id: 'brp-personen-tweede',
      name: 'A second BRP gateway (down in this test)',
    });
    expect(created.status, await created.clone().text()).toBe(201);
    await gw.refreshDirectory();
    directory = await fetchDirectory({
      registryUrl: 'http://registry.test',
      registryKey: gw.registry.registryPublicKey,
      fetch: async (input, init) => gw.registry.app.request(String(input), init),
    });
    for (let i = 0; i < 3; i++) {
      const res = await gw.send(
        DEMO_OIN.utrecht,
        { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [SUZANNE], fields: ['naam.voornamen'] },
        { processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo },
      );
      expect(res.status).toBe(200);
    }
    await gw.log.drain();
    token = await gw.citizenToken({ sub: SUZANNE });
  });
  afterAll(async () => gw.close());

  it('merges every gateway into one verified timeline and reports the one that is down', async () => {
    const client = createCitizenClient({ token, directory, fetch: fetchImpl });
    const result = await client.accessLog({ pageSize: 2 });
    expect(result.records).toHaveLength(3);
    expect(result.records.every((r) => r.verified && r.gateway === GATEWAY_URL)).toBe(true);
    expect(
      [...result.records].sort((a, b) => b.tijdstip.localeCompare(a.tijdstip) || b.id.localeCompare(a.id)),
    ).toEqual(result.records);
    expect(result.complete).toBe(false);
    expect(result.missing).toEqual([
      { service: 'brp-personen-tweede', gateway: DOWN, reason: 'the gateway cannot be reached' },
    ]);
  });

  it('does not show an answer altered in transit: that gateway is reported, not trusted', async () => {
    tamper = true;
    try {
      const result = await createCitizenClient({ token, directory, fetch: fetchImpl }).accessLog();
      expect(result.records).toEqual([]);
      expect(result.missing.find((m) => m.gateway === GATEWAY_URL)?.reason).toMatch(/not signed by Rijksdienst/);
    } finally {
      tamper = false;
    }
  });

  it('throws a refused token instead of calling it a missing gateway', async () => {
    const error = await createCitizenClient({ token: `${token}x`, directory, fetch: fetchImpl })
      .accessLog()
      .catch((e: unknown) => e);
    expect(isSdkError(error) && error.code).toBe('authentication');
  });

  it('lets an organisation read its own records through the Logboek read API, verified', async () => {
    const utrecht = createOrganisationClient({
      oin: DEMO_OIN.utrecht,
      privateKey: gw.key(DEMO_OIN.utrecht),
      directory,
      fetch: fetchImpl,
    });
    const page = await utrecht.readLog({ 'dpl.core.data_subject_id': SUZANNE, limit: 2 });
    expect(page.metadata.organizationName).toBe('Rijksdienst voor Identiteitsgegevens');
    expect(page.processingActivities).toHaveLength(2);
    expect(page.next).not.toBeNull();
    const rest = await utrecht.readLog({ 'dpl.core.data_subject_id': SUZANNE, cursor: page.next ?? '' });
    expect([...page.processingActivities, ...rest.processingActivities].map((r) => r.id)).toHaveLength(3);
    const error = await utrecht.readLog({}).catch((e: unknown) => e);
    expect(isSdkError(error) && error.problem?.invalidParams?.[0]?.name).toBe('body');
  });

  it('gives an auditor the coverage report with progress, and refuses a non-auditor', async () => {
    const progress: number[] = [];
    const auditor = createAuditorClient({
      oin: DEMO_OIN.autoriteitPersoonsgegevens,
      privateKey: gw.key(DEMO_OIN.autoriteitPersoonsgegevens),
      directory,
      fetch: fetchImpl,
    });
    const today = new Date().toISOString().slice(0, 10);
    const { reports, missing } = await auditor.coverage({
      from: today,
      to: today,
      pollIntervalMs: 5,
      onProgress: (p) => progress.push(p.done),
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.report.totals.accesses).toBe(3);
    expect(reports[0]?.report.totals.invalidAccesses).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(missing.map((m) => m.gateway)).toEqual([DOWN]);
    const notAuditor = createAuditorClient({
      oin: DEMO_OIN.utrecht,
      privateKey: gw.key(DEMO_OIN.utrecht),
      directory,
      fetch: fetchImpl,
    });
    const error = await notAuditor.coverage({ from: today, to: today }).catch((e: unknown) => e);
    expect(isSdkError(error) && error.code).toBe('unauthorized');
  });
});
