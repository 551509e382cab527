import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_URL, startTestGateway, type TestGateway } from '../testing/index.ts';

/**
 * CORS on the citizen endpoints: only the web origins the registry lists (an organisation's
 * `webOrigins`) may read answers from a browser; preflights and errors too; nothing else is opened.
 */
describe('CORS on the citizen endpoints', () => {
  let gw: TestGateway;
  const PORTAL = 'https://mijn.rvig.example';
  beforeAll(async () => {
    gw = await startTestGateway('sqlite');
    const rvig = (await (await gw.registry.app.request(`/v1/organisations/${DEMO_OIN.rvig}`)).json()) as Record<
      string,
      unknown
    >;
    const put = await gw.registry.asOrganisation(DEMO_OIN.rvig, 'PUT', `/v1/organisations/${DEMO_OIN.rvig}`, {
      name: rvig.name,
      kind: rvig.kind,
      roles: rvig.roles,
      webOrigins: [PORTAL],
    });
    expect(put.status).toBe(200);
    await gw.refreshDirectory();
  });
  afterAll(async () => gw.close());

  const get = (path: string, headers: Record<string, string>) => gw.app.request(`${GATEWAY_URL}${path}`, { headers });

  it('lets a listed origin read a signed answer and its signature headers', async () => {
    const token = await gw.citizenToken({ sub: '999993653' });
    const res = await get('/inzage/v1/verwerkingen', { origin: PORTAL, authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(res.headers.get('vary')).toContain('Origin');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(', ');
    for (const h of ['signature', 'signature-input', 'content-digest', 'fsc-transaction-id'])
      expect(exposed).toContain(h);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers the preflight for a listed origin, and gives nothing to any other', async () => {
    const preflight = (origin: string) =>
      gw.app.request(`${GATEWAY_URL}/inzage/v1/verwerkingen`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight(PORTAL);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PORTAL);
    // The page sends settings (PUT /berichten) and meldingen (POST) as JSON, with the token.
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE');
    for (const other of ['https://evil.example', `${PORTAL}.evil.example`, 'null', 'http://mijn.rvig.example']) {
      const refused = await preflight(other);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-headers')).toBeNull();
    }
  });

  it('carries the headers on a refusal, so the page can show it, but only for a listed origin', async () => {
    const listed = await get('/inzage/v1/verwerkingen', { origin: PORTAL });
    expect(listed.status).toBe(401);
    expect(listed.headers.get('access-control-allow-origin')).toBe(PORTAL);
    const other = await get('/inzage/v1/verwerkingen', { origin: 'https://evil.example' });
    expect(other.status).toBe(401);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('opens nothing but the citizen endpoints', async () => {
    for (const path of ['/log/v1/heads', '/audit/v1/coverage', '/personen', '/processing-activities/x/records']) {
      const res = await get(path, { origin: PORTAL });
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('stops allowing an origin once its organisation is revoked', async () => {
    const revoke = await gw.registry.admin('POST', `/v1/organisations/${DEMO_OIN.rvig}/revoke`, {});
    expect(revoke.status).toBe(200);
    await gw.refreshDirectory();
    const res = await get('/inzage/v1/verwerkingen', { origin: PORTAL });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
