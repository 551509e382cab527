/**
 * Servers for this machine only, against `pnpm start`, attacked by another name (DNS rebinding): a
 * page of `rebind.evil.example`, whose name the attacker makes resolve to 127.0.0.1, is same-origin
 * with whatever listens on that port, so the browser sends and reads its requests. The auditor's
 * page (which signs with the Autoriteit Persoonsgegevens' key), the management pages (which sign
 * contracts with RvIG's and Haarlem's keys) and the development identity
 * provider (which hands out citizens' tokens) and the example BRP source (which answers anyone,
 * unsigned, behind the gateway) answer such a `Host` 421; the citizens' page passes
 * nothing through to the auditor's page. Raw HTTP with node:http (fetch cannot set `Host`), and a
 * real Chromium with the name mapped to 127.0.0.1 as the attacker's vehicle.
 */
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../portal/browser.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';

const EVIL = 'rebind.evil.example';
const SUZANNE_QUERY = JSON.stringify({
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: ['999993653'],
  fields: ['naam.geslachtsnaam', 'verblijfplaats'],
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request to 127.0.0.1:port with exactly these headers (Host included), as an attacker's browser sends it. */
function raw(
  port: number,
  path: string,
  headers: Record<string, string>,
  method: 'GET' | 'POST' = 'GET',
  body = '',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // Without a `host` header, none at all (node:http would add its own).
    const req = request({ host: '127.0.0.1', port, path, method, headers, setHost: 'host' in headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The one plain line of a server for this machine only that refuses a name. */
function expectMisdirected(answer: RawAnswer, what: string) {
  expect(answer.status, `${what}: ${answer.body.slice(0, 200)}`).toBe(421);
  expect(String(answer.headers['content-type']), what).toMatch(/^text\/plain/);
  expect(answer.body, what).toMatch(/^Misdirected request: [^\n]+\n$/);
  expect(answer.body, what).not.toContain('"reports"');
}

describe('servers for this machine only, addressed by a foreign name', () => {
  let system: RunningSystem;
  const today = new Date().toISOString().slice(0, 10);
  const period = `from=${today}&to=${today}`;

  beforeAll(async () => {
    system = await startSystem();
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it("the citizens' page no longer passes the auditor's page through: the issue's request gets no report", async () => {
    const { portal } = system.ports;
    for (const path of [`/auditor/coverage.json?${period}`, '/auditor/?verify=1', `/auditor/coverage.csv?${period}`]) {
      // Exactly the request; and by the page's own name, too: there is no /auditor/ at all.
      for (const host of [`${EVIL}:${portal}`, `localhost:${portal}`]) {
        const answer = await raw(portal, path, { host, 'sec-fetch-site': 'same-origin' });
        expect(answer.status, `${host}${path}`).toBe(404);
        expect(answer.body).not.toContain('"reports"');
        expect(answer.body).not.toContain('Coverage report');
      }
    }
  });

  it("the auditor's page answers 421 with one plain line to a foreign Host, on every path", async () => {
    const { auditor, portal } = system.ports;
    const hosts = [`${EVIL}:${auditor}`, `localhost:${portal}`, `127.0.0.1.nip.io:${auditor}`, `${EVIL}`];
    for (const path of [
      '/',
      '/?verify=1',
      `/?${period}&verify=1`,
      `/coverage.csv?${period}`,
      `/coverage.json?${period}`,
    ]) {
      for (const host of hosts) {
        expectMisdirected(await raw(auditor, path, { host, 'sec-fetch-site': 'same-origin' }), `${host}${path}`);
      }
    }
    // A request without any Host is not this machine's own either (Node refuses HTTP/1.1 without one, 400).
    const hostless = await raw(auditor, `/coverage.json?${period}`, {});
    expect([400, 421]).toContain(hostless.status);
    expect(hostless.body).not.toContain('"reports"');
  });

  it("the management pages (which sign with RvIG's and Haarlem's keys) answer 421 to a foreign Host, a post too", async () => {
    for (const port of [system.ports.beheerRvig, system.ports.beheerHaarlem]) {
      for (const host of [`${EVIL}:${port}`, `localhost:${system.ports.portal}`, `${EVIL}`]) {
        expectMisdirected(await raw(port, '/', { host, 'sec-fetch-site': 'same-origin' }), `${host}/`);
        const post = await raw(
          port,
          '/ondertekenen',
          { host, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
          'POST',
          'hash=x&actie=accept&reden=',
        );
        expectMisdirected(post, `POST ${host}/ondertekenen`);
      }
      const own = await raw(port, '/', { host: `127.0.0.1:${port}` });
      expect(own.status, own.body.slice(0, 300)).toBe(200);
      expect(own.body).toContain('<h1>Contracten</h1>');
      expect(String(own.headers['content-security-policy'])).not.toContain('script-src');
    }
  });

  it("answers its own names, with the auditor's own headers (no script at all), as the browser gets them", async () => {
    const { auditor } = system.ports;
    for (const host of [`127.0.0.1:${auditor}`, `localhost:${auditor}`]) {
      const answer = await raw(auditor, `/coverage.json?${period}`, { host });
      expect(answer.status, answer.body.slice(0, 300)).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty('reports');
    }
    const page = await fetch(`http://localhost:${auditor}/?${period}`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('the development identity provider gives no token to a foreign Host (421), and one to its own name', async () => {
    const { idp } = system.ports;
    const token = (host: string) =>
      raw(idp, '/token', { host, 'content-type': 'application/json' }, 'POST', '{"bsn":"999993653"}');
    for (const host of [`${EVIL}:${idp}`, `localhost:${system.ports.portal}`]) {
      const answer = await token(host);
      expectMisdirected(answer, host);
      expect(answer.body).not.toContain('access_token');
    }
    expectMisdirected(await raw(idp, '/authorize', { host: `${EVIL}:${idp}` }), 'GET /authorize');
    const own = await token(`localhost:${idp}`);
    expect(own.status, own.body).toBe(200);
    expect(own.body).toContain('access_token');
  });

  it('the example BRP source (unsigned, behind the gateway) answers no foreign Host (421), and its own name', async () => {
    const { source } = system.ports;
    const ask = (host: string) =>
      raw(source, '/personen', { host, 'content-type': 'application/json' }, 'POST', SUZANNE_QUERY);
    for (const host of [`${EVIL}:${source}`, `localhost:${system.ports.gateway}`, `127.0.0.1.nip.io:${source}`]) {
      const answer = await ask(host);
      expectMisdirected(answer, host);
      expect(answer.body).not.toContain('Moulin');
    }
    const own = await ask(`localhost:${source}`);
    expect(own.status, own.body).toBe(200);
    expect(own.body).toContain('Moulin');
  });

  describe("in Chromium, with the attacker's name resolving to 127.0.0.1 (DNS rebinding)", () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium([`--host-resolver-rules=MAP ${EVIL} 127.0.0.1`]);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
    });

    /**
     * A script in a page of http://rebind.evil.example:<port>/, as the issue found it: the name
     * resolves to 127.0.0.1, so the page is whatever this machine serves there, and the script's own
     * origin is this machine's port. (A page served from elsewhere first, as in a real rebinding, this
     * Chromium does not let fetch from 127.0.0.1 at all, Private Network Access, which would prove
     * nothing about the servers; they must not rely on it.)
     */
    async function attackersScript(port: number, path: string, init: RequestInit = {}, host = EVIL) {
      const page = await browser.newPage();
      await page.goto(`http://${host}:${port}/`);
      const result = (await page.evaluate(
        `fetch(${JSON.stringify(path)}, ${JSON.stringify(init)})
          .then(async (res) => ({ status: res.status, body: await res.text() }))
          .catch((error) => ({ status: 0, body: String(error) }))`,
      )) as { status: number; body: string };
      await page.close();
      return result;
    }

    it("a script of a page at the citizens' page's port cannot read the coverage report", async () => {
      for (const path of [`/auditor/coverage.json?${period}`, '/auditor/?verify=1']) {
        const result = await attackersScript(system.ports.portal, path);
        expect([0, 404], `${path}: ${result.body.slice(0, 200)}`).toContain(result.status);
        expect(result.body).not.toContain('"reports"');
        expect(result.body).not.toContain('Coverage report');
      }
    });

    it("a script of a page at the auditor's page's port cannot read the coverage report", async () => {
      for (const path of [`/coverage.json?${period}`, `/coverage.csv?${period}`, '/?verify=1']) {
        const result = await attackersScript(system.ports.auditor, path);
        expect([0, 421], `${path}: ${result.body.slice(0, 200)}`).toContain(result.status);
        expect(result.body).not.toContain('"reports"');
        expect(result.body).not.toMatch(/^kind,gateway/);
      }
    });

    it("a script of a page at the BRP source's port reads no person (past the gateway and its log)", async () => {
      const ask = { method: 'POST', headers: { 'content-type': 'application/json' }, body: SUZANNE_QUERY };
      const result = await attackersScript(system.ports.source, '/personen', ask);
      expect([0, 421], result.body.slice(0, 200)).toContain(result.status);
      expect(result.body).not.toContain('Moulin');
    });

    it("a script of a page at the identity provider's port gets no citizen's token", async () => {
      const ask = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"bsn":"999993653"}' };
      const result = await attackersScript(system.ports.idp, '/token', ask);
      expect([0, 421], result.body.slice(0, 200)).toContain(result.status);
      expect(result.body).not.toContain('access_token');
      // The same script at the provider's own name gets one: it is the name that is refused, not the browser.
      const own = await attackersScript(system.ports.idp, '/token', ask, 'localhost');
      expect(own.status, own.body.slice(0, 200)).toBe(200);
      expect(own.body).toContain('access_token');
    });
  });
});
