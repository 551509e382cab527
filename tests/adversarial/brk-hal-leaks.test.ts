/**
 * The BRK inway's HAL answer as an attacker reads it (issue 26 §3): everything in `_embedded` and
 * `_links` must be covered by the autorisatie, hrefs point at the inway's public URL only, no link
 * keeps a `title`, owners are not embedded unless expanded; and a source that misbehaves (a second
 * BRK gateway entry, the system's registry and Kadaster's keys, in front of a hostile stub source of
 * this file) never gets its error text, its foreign links or an identifier it smuggles into an href
 * past the gateway. Raw HTTP only, signed with node:crypto (`raw-client.ts`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntryProcess, startEntry } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

const HOME = '30000000000001';
const SUZANNE = '999993653';

// biome-ignore lint/suspicious/noExplicitAny: the answers are read as an attacker reads them
type Hal = any;

/** Every href in a HAL body, wherever it sits. */
function hrefsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(hrefsOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'href' && typeof v === 'string' ? [v] : hrefsOf(v)));
}

describe('the BRK inway releases no link, embedded resource or source text it may not (raw HTTP)', () => {
  let system: RunningSystem;
  let inway: string;
  let publicBase: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
  const get = (path: string, who: 'utrecht' | 'haarlem' = 'utrecht', origin = inway) =>
    sendRaw(origin, {
      method: 'GET',
      targetUri: `${publicBase}${path}`,
      key: key(DEMO_OIN[who]),
      processingActivity:
        who === 'utrecht' ? DEMO_PROCESSING_ACTIVITY.utrechtOzb : DEMO_PROCESSING_ACTIVITY.haarlemVermogen,
    });
  const hal = async (res: Response) => {
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/hal+json');
    return { body: JSON.parse(text) as Hal, text };
  };

  // The hostile source: what it answers is set per test.
  let stub: Server;
  let stubBase: string;
  let answer: (path: string) => { status: number; type: string; body: string; location?: string } = () => ({
    status: 500,
    type: 'text/plain',
    body: '',
  });
  let hostile: EntryProcess;
  let hostileOrigin: string;
  let dir: string;

  beforeAll(async () => {
    system = await startSystem();
    inway = `http://127.0.0.1:${system.ports.brkGateway}`;
    publicBase = `http://localhost:${system.ports.brkGateway}`;
    stub = createServer((req, res) => {
      const { status, type, body, location } = answer(req.url ?? '');
      res.writeHead(status, { 'content-type': type, ...(location ? { location } : {}) });
      res.end(body);
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    stubBase = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-brk-leaks-'));
    const port = await freePort();
    hostile = await startEntry('packages/gateway/src/server/main.ts', {
      PORT: String(port),
      DATA_DIR: system.data,
      DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
      REGISTRY_URL: `http://localhost:${system.ports.registry}`,
      SERVICE_ID: 'brk-bevragen',
      SOURCE_URL: stubBase,
      LOG_KEY_FILE: join(system.data, 'keys', 'brk-gateway-log.key'),
      INSTANCE_ID: 'brk-hostile',
    });
    hostileOrigin = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(async () => {
    await hostile?.stop();
    await new Promise((resolve) => stub?.close(resolve));
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('minimisation of the whole HAL answer (the example source)', () => {
    it('embeds no owners unless expanded, though the gateway asked the source for them', async () => {
      const { body, text } = await hal(await get(`/kadastraalonroerendezaken/${HOME}`));
      expect(body._embedded).toBeUndefined();
      expect(text).not.toContain(SUZANNE);
      expect(text).not.toContain('Moulin');
    });

    it('gives Utrecht, asking with fields without identificatie, no link that carries the id', async () => {
      const { body, text } = await hal(await get(`/kadastraalonroerendezaken/${HOME}?fields=type,kadastraleGrootte`));
      expect(body).toEqual({ type: 'perceel', kadastraleGrootte: { waarde: 164 } });
      expect(text).not.toContain(HOME);
    });

    it('drops what the autorisatie does not cover from _links (hypotheken for Utrecht) and every title', async () => {
      const { body, text } = await hal(await get(`/kadastraalonroerendezaken/${HOME}?expand=zakelijkGerechtigden`));
      expect(Object.keys(body._links).sort()).toEqual(['self', 'zakelijkGerechtigden']);
      expect(text).not.toContain('hypothe');
      expect(text).not.toContain('"title"');
      expect(text).not.toContain('koopsom');
      // The source links the owner to the BRP: a foreign host, never passed on.
      const owner = body._embedded.zakelijkGerechtigden[0];
      expect(owner.persoon.identificatie).toBe(SUZANNE);
      expect(owner._links.persoon).toBeUndefined();
      for (const href of hrefsOf(body)) expect(href.startsWith(`${publicBase}/`), href).toBe(true);
      expect(text).not.toContain(`:${system.ports.brkSource}`);
    });

    it("embeds only the expanded field, and with it no owner's link or identifier", async () => {
      const { body, text } = await hal(
        await get(`/kadastraalonroerendezaken/${HOME}?fields=type&expand=zakelijkGerechtigden.persoon.type`),
      );
      expect(body).toEqual({
        type: 'perceel',
        _embedded: { zakelijkGerechtigden: [{ persoon: { type: 'ingeschreven_natuurlijk_persoon' } }] },
      });
      expect(text).not.toContain('4000000000');
    });

    it("gives no embedded owner's link that carries the parcel id the caller left out of fields", async () => {
      const search = '/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31&fields=type&expand=zakelijkGerechtigden';
      const { body, text } = await hal(await get(search));
      const owner = body._embedded.kadastraalOnroerendeZaken[0]._embedded.zakelijkGerechtigden[0];
      expect(owner.identificatie).toBe('40000000000001');
      expect(text).not.toContain(HOME);
      // Asked by its id, the caller knows the parcel: the owner's self link may name it.
      const byId = await hal(await get(`/kadastraalonroerendezaken/${HOME}?fields=type&expand=zakelijkGerechtigden`));
      expect(byId.body._embedded.zakelijkGerechtigden[0]._links.self.href).toBe(
        `${publicBase}/kadastraalonroerendezaken/${HOME}/zakelijkgerechtigden/40000000000001`,
      );
    });

    it("drops the collection's own _links", async () => {
      const { body } = await hal(await get('/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31'));
      expect(Object.keys(body)).toEqual(['_embedded']);
      expect(body._embedded.kadastraalOnroerendeZaken).toHaveLength(1);
    });
  });

  describe('a source that misbehaves', () => {
    const hostileGet = (path: string) => get(path, 'utrecht', hostileOrigin);
    const refusedWithout = async (res: Response, status: number | number[], ...secrets: string[]) => {
      const text = await res.text();
      expect([status].flat(), text).toContain(res.status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      for (const secret of [...secrets, stubBase, String((stub.address() as AddressInfo).port)]) {
        expect(text).not.toContain(secret);
      }
      return JSON.parse(text) as { code: string };
    };

    it('passes no word of a 500 whose text holds personal data', async () => {
      answer = () => ({
        status: 500,
        type: 'application/problem+json',
        body: JSON.stringify({ status: 500, detail: `Suzanne Moulin ${SUZANNE} at ${stubBase}` }),
      });
      await refusedWithout(await hostileGet(`/kadastraalonroerendezaken/${HOME}`), 502, SUZANNE, 'Moulin');
    });

    it('answers its own 404 for a source 404, and follows no redirect of the source', async () => {
      answer = () => ({
        status: 404,
        type: 'application/problem+json',
        body: JSON.stringify({ status: 404, detail: `Suzanne Moulin ${SUZANNE}` }),
      });
      await refusedWithout(await hostileGet(`/kadastraalonroerendezaken/${HOME}`), 404, SUZANNE, 'Moulin');
      // A redirect to the real source's company-only parcel: followed, it would answer another resource.
      const elsewhere = `http://127.0.0.1:${system.ports.brkSource}/kadastraalonroerendezaken/30000000000008`;
      answer = () => ({ status: 302, type: 'text/plain', body: '', location: elsewhere });
      await refusedWithout(await hostileGet(`/kadastraalonroerendezaken/${HOME}`), 502, 'Voorbeeldweg', elsewhere);
    });

    it('refuses a 200 of the wrong content type and a huge one, passing neither', async () => {
      answer = () => ({ status: 200, type: 'text/html', body: `<p>Suzanne Moulin ${SUZANNE}</p>` });
      await refusedWithout(await hostileGet(`/kadastraalonroerendezaken/${HOME}`), 502, SUZANNE, 'Moulin');
      answer = () => ({
        status: 200,
        type: 'application/hal+json',
        body: JSON.stringify({
          identificatie: HOME,
          type: 'perceel',
          pad: 'x'.repeat(17 * 1024 * 1024),
          naam: SUZANNE,
        }),
      });
      // Over the gateway's 16 MiB: refused as too large, or (on a busy machine) as too slow; never passed on.
      await refusedWithout(await hostileGet(`/kadastraalonroerendezaken/${HOME}`), [502, 504], SUZANNE);
      expect(hostile.child.exitCode).toBeNull();
    });

    it('passes a 400 naming only the caller own parameters, none of its reasons', async () => {
      answer = () => ({
        status: 400,
        type: 'application/problem+json',
        body: JSON.stringify({
          status: 400,
          invalidParams: [
            { name: 'fields', code: 'fields', reason: `Suzanne Moulin ${SUZANNE}` },
            { name: `bsn${SUZANNE}`, code: 'x', reason: 'y' },
          ],
        }),
      });
      await refusedWithout(await hostileGet(`/kadastraalonroerendezaken/${HOME}?fields=type`), 400, SUZANNE, 'Moulin');
    });

    it('moves hrefs to the inway, drops links to foreign hosts and every title', async () => {
      answer = () => ({
        status: 200,
        type: 'application/hal+json',
        body: JSON.stringify({
          identificatie: HOME,
          type: 'perceel',
          zakelijkGerechtigdeIdentificaties: ['40000000000001'],
          _links: {
            self: { href: `http://evil.example/kadastraalonroerendezaken/${HOME}` },
            zakelijkGerechtigden: [
              {
                href: `${stubBase}/kadastraalonroerendezaken/${HOME}/zakelijkgerechtigden/40000000000001`,
                title: 'Suzanne Moulin',
              },
            ],
            hypotheken: [{ href: `${stubBase}/kadastraalonroerendezaken/${HOME}/hypotheken/50000000000001` }],
          },
        }),
      });
      const { body, text } = await hal(await hostileGet(`/kadastraalonroerendezaken/${HOME}`));
      expect(body._links).toEqual({
        zakelijkGerechtigden: [
          { href: `${publicBase}/kadastraalonroerendezaken/${HOME}/zakelijkgerechtigden/40000000000001` },
        ],
      });
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('Moulin');
      expect(text).not.toContain(stubBase);
    });

    it('drops a persoon href that carries an identifier the answer does not release (a BSN beside an RSIN)', async () => {
      answer = () => ({
        status: 200,
        type: 'application/hal+json',
        body: JSON.stringify({
          _embedded: {
            zakelijkGerechtigden: [
              {
                identificatie: '40000000000010',
                type: 'eigenaar',
                persoon: { identificatie: '800000001', type: 'ingeschreven_niet_natuurlijk_persoon' },
                _links: {
                  self: {
                    href: `${stubBase}/kadastraalonroerendezaken/30000000000008/zakelijkgerechtigden/40000000000010`,
                  },
                  persoon: { href: `${stubBase}/kadasternatuurlijkpersonen/${SUZANNE}` },
                },
              },
            ],
          },
        }),
      });
      const { body, text } = await hal(
        await hostileGet('/kadastraalonroerendezaken/30000000000008/zakelijkgerechtigden'),
      );
      expect(body._embedded.zakelijkGerechtigden[0].persoon.identificatie).toBe('800000001');
      expect(text).not.toContain(SUZANNE);
      // The self link names only what it reveals, so it stays.
      expect(body._embedded.zakelijkGerechtigden[0]._links.self.href).toBe(
        `${publicBase}/kadastraalonroerendezaken/30000000000008/zakelijkgerechtigden/40000000000010`,
      );
    });

    it('drops a self href whose identifier is not the resource one (the source lies about it)', async () => {
      answer = () => ({
        status: 200,
        type: 'application/hal+json',
        body: JSON.stringify({
          identificatie: HOME,
          type: 'perceel',
          _links: { self: { href: `${stubBase}/kadastraalonroerendezaken/${HOME}?naam=Moulin&bsn=${SUZANNE}` } },
        }),
      });
      const { body, text } = await hal(await hostileGet(`/kadastraalonroerendezaken/${HOME}?fields=identificatie`));
      expect(body).toEqual({ identificatie: HOME });
      expect(text).not.toContain(SUZANNE);
    });
  });
});
