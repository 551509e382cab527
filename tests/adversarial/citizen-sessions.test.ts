/**
 * The citizen's session, from outside, against `pnpm start` (every part on free ports): the dev identity
 * provider gives tokens to its test persons only (issue 25, item 8); logging out ends the session there
 * and every citizen endpoint of the gateway refuses the token at once, also when the page's Uitloggen
 * does it in Chromium; a token whose identity provider cannot say is refused with a 503, never read
 * (item 9); and a proof against a tree size that can never hold the record is a 4xx naming `size`
 * (item 10). Raw HTTP only; a second identity provider is registered through the admin API, with a
 * key made here, to play an identity provider that is slow, refuses, or is down.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../portal/browser.ts';
import { gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

const SUZANNE = '999993653';
/** Passes the elfproef, but is no test person. */
const NOBODY = '111222333';

interface Problem {
  status: number;
  code: string;
  detail: string;
  invalidParams?: { name: string; code: string; reason: string }[];
}

/** An ES256 JWT signed here with node:crypto (RFC 7515 / 7518: the signature as r ‖ s). */
function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>) {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'ES256', typ: 'JWT', kid })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

describe('citizen sessions: test persons only, logging out, proofs by size (from outside)', () => {
  let system: RunningSystem;
  let gateway: string;
  let idp: string;
  let portal: string;
  let registry: string;
  let adminToken: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;

  /** An afnemer's query about Suzanne, signed by hand, so that she has records. */
  const query = () =>
    sendRaw(gateway, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/personen`,
      key: key(DEMO_OIN.utrecht),
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      body: JSON.stringify({
        type: 'RaadpleegMetBurgerservicenummer',
        burgerservicenummer: [SUZANNE],
        fields: ['naam.voornamen'],
      }),
    });
  const tokenFor = async (bsn: string) => {
    const res = await fetch(`${idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const timeline = (token: string) =>
    fetch(`${gateway}/inzage/v1/verwerkingen?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  const proof = (token: string, id: string, query = '') =>
    fetch(`${gateway}/inzage/v1/verwerkingen/${id}/bewijs${query}`, { headers: { authorization: `Bearer ${token}` } });
  const form = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${idp}${path}`, { method: 'POST', headers, body: new URLSearchParams(body) });
  const problemOf = async (res: Response, status: number) => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return JSON.parse(text) as Problem;
  };

  /** Suzanne's newest record, once a signed head covers it: its id, leaf index and that head's size. */
  async function provenRecord(token: string) {
    const list = (await (await timeline(token)).json()) as { verwerkingen: { id: string }[] };
    const id = list.verwerkingen[0]?.id ?? '';
    for (let i = 0; i < 40; i++) {
      const res = await proof(token, id);
      if (res.status === 200) {
        const body = (await res.json()) as { log_id: string; leaf_index: number; head: { tree_size: number } };
        return { id, logId: body.log_id, leafIndex: body.leaf_index, treeSize: body.head.tree_size };
      }
      expect(res.status, await res.text()).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('no signed head covered the record');
  }

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '1' } });
    gateway = `http://127.0.0.1:${system.ports.gateway}`;
    idp = `http://127.0.0.1:${system.ports.idp}`;
    portal = `http://localhost:${system.ports.portal}`;
    registry = `http://localhost:${system.ports.registry}`;
    adminToken = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
    // Two accesses, so that the newest record is not the log's first leaf.
    for (let i = 0; i < 2; i++) {
      const res = await query();
      expect(res.status, await res.clone().text()).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('gives a token to a test person only: any other BSN is a 400 naming bsn, in JSON and on the page', async () => {
    const res = await fetch(`${idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: NOBODY }),
    });
    const problem = await problemOf(res, 400);
    expect(problem.invalidParams?.map((p) => [p.name, p.code])).toEqual([['bsn', 'testPerson']]);
    expect(problem.detail).toContain('testpersoon');

    // The browser login: the typed BSN passes the elfproef, but no code goes back for it.
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const page = await fetch(`${idp}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        response_type: 'code',
        client_id: 'poortwachter-portal',
        redirect_uri: `${portal}/`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'x',
        bsn: '',
        'bsn-typed': NOBODY,
      }),
    });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).toContain('Dit BSN is niet van een testpersoon');
    // A test person still gets one.
    expect((await timeline(await tokenFor(SUZANNE))).status).toBe(200);
  });

  it("starts no session from another site's page: the JSON token request is JSON only (a preflight guards it)", async () => {
    // text/plain is what a page of any site may send without asking the browser's CORS first.
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-json', '']) {
      const res = await fetch(`${idp}/token`, {
        method: 'POST',
        headers: { 'content-type': type, origin: 'https://evil.example' },
        body: JSON.stringify({ bsn: SUZANNE }),
      });
      const problem = await problemOf(res, 415);
      expect(
        problem.invalidParams?.map((p) => p.name),
        type,
      ).toEqual(['content-type']);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('logging out (RFC 7009) makes every citizen endpoint refuse the token at once; another session goes on', async () => {
    const token = await tokenFor(SUZANNE);
    const other = await tokenFor(SUZANNE);
    const record = await provenRecord(token);
    expect((await timeline(token)).status).toBe(200);
    const introspect = async (t: string) =>
      ((await (await form('/introspect', { token: t })).json()) as { active: boolean; sid?: string }).active;
    expect(await introspect(token)).toBe(true);

    const revoked = await form('/revoke', { token }, { origin: portal });
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get('access-control-allow-origin')).toBe(portal);
    // At once, with no wait: the timeline and the proof.
    const [list, bewijs] = await Promise.all([timeline(token), proof(token, record.id)]);
    for (const res of [list, bewijs]) {
      const problem = await problemOf(res, 401);
      expect(problem.detail).toBe('U bent uitgelogd. Log opnieuw in.');
      expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_TOKEN_INVALID');
    }
    expect(await introspect(token)).toBe(false);
    // Revoking again, or a token that is not one, is no error (RFC 7009 §2.2), and no one else's logout.
    expect((await form('/revoke', { token })).status).toBe(200);
    expect((await form('/revoke', { token: 'not-a-token' })).status).toBe(200);
    expect((await form('/revoke', {})).status).toBe(400);
    expect((await timeline(other)).status).toBe(200);
    // A foreign page cannot read the answer of /revoke.
    const foreign = await form('/revoke', { token: other }, { origin: 'https://evil.example' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a token whose identity provider cannot say (down, failing), never serving it; concurrent checks share one question', async () => {
    // A second identity provider, registered with an introspection endpoint that this test plays.
    let asked = 0;
    let answer: 'active' | 'inactive' | 'fail' = 'active';
    const fake: Server = createServer((req, res) => {
      asked++;
      setTimeout(() => {
        if (answer === 'fail') res.writeHead(500).end('oops');
        else
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ active: answer === 'active' }));
      }, 300);
      req.resume();
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const issuer = `http://localhost:${(fake.address() as AddressInfo).port}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
    // RFC 7638: the thumbprint of the required members in lexicographic order.
    const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
    const registered = await fetch(`${registry}/v1/identity-providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        issuer,
        name: 'Testinlog Traag',
        jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid }] },
        audience: 'poortwachter-inzage',
        minimumAssurance: 'midden',
        introspectionEndpoint: `${issuer}/introspect`,
      }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    expect(((await registered.json()) as { introspectionEndpoint?: string }).introspectionEndpoint).toBe(
      `${issuer}/introspect`,
    );
    // The signed directory carries it (an optional member).
    const jws = await (await fetch(`${registry}/v1/directory`)).text();
    const snapshot = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as {
      identity_providers: { issuer: string; introspectionEndpoint?: string }[];
    };
    expect(snapshot.identity_providers.find((p) => p.issuer === issuer)?.introspectionEndpoint).toBe(
      `${issuer}/introspect`,
    );
    await gatewayHasNewestDirectory(system);
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(privateKey, kid, {
      iss: issuer,
      sub: SUZANNE,
      aud: 'poortwachter-inzage',
      acr: 'midden',
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
    });
    try {
      // Eight reads at once: one question at a time to the identity provider, at most two in all.
      const reads = await Promise.all(Array.from({ length: 8 }, () => timeline(token)));
      expect(reads.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(asked).toBeGreaterThanOrEqual(1);
      expect(asked).toBeLessThanOrEqual(2);
      // No answer is remembered: the next read asks again, and the session has ended meanwhile.
      answer = 'inactive';
      const before = asked;
      expect((await problemOf(await timeline(token), 401)).detail).toBe('U bent uitgelogd. Log opnieuw in.');
      expect(asked).toBe(before + 1);
      answer = 'fail';
      const failing = await problemOf(await timeline(token), 503);
      expect(failing.detail).toContain('Testinlog Traag');
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
    // Down: nothing listens there any more.
    for (const res of [await timeline(token), await proof(token, randomUUID())]) {
      const problem = await problemOf(res, 503);
      expect(problem.detail).toContain('Testinlog Traag');
      expect(res.headers.get('fsc-error-code')).toBe('ERROR_CODE_SERVICE_UNREACHABLE');
    }
  });

  it("the page's Uitloggen ends the session: the token it used is refused at once (Chromium)", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      let token = '';
      page.on('request', (request) => {
        const authorization = request.headers().authorization;
        if (request.url().includes('/inzage/v1/') && authorization) token = authorization.replace(/^Bearer /, '');
      });
      await page.goto(`${portal}/`);
      await page.click('#login');
      await page.waitForURL(/\/authorize\?/);
      await page.click('button:has-text("Suzanne Moulin")');
      await page.waitForSelector('#found', { timeout: 30_000 });
      expect(token).not.toBe('');
      expect((await timeline(token)).status).toBe(200);
      await page.click('#logout');
      await page.waitForFunction(`document.getElementById('status')?.textContent === 'U bent uitgelogd.'`);
      expect((await problemOf(await timeline(token), 401)).detail).toBe('U bent uitgelogd. Log opnieuw in.');
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('a proof against a tree size that can never hold the record is a 400 naming size; an unsigned size a 404', async () => {
    const token = await tokenFor(SUZANNE);
    const record = await provenRecord(token);
    expect(record.leafIndex).toBeGreaterThanOrEqual(1);
    for (const size of [0, 1, record.leafIndex]) {
      const res = await proof(token, record.id, `?size=${size}`);
      expect(res.headers.get('retry-after')).toBeNull();
      const problem = await problemOf(res, 400);
      expect(problem.invalidParams?.map((p) => p.name)).toEqual(['size']);
    }
    // Beyond the newest signed head: a head of exactly that size may never be signed, so no Retry-After.
    const beyond = await proof(token, record.id, `?size=${record.treeSize + 1000}`);
    expect(beyond.headers.get('retry-after')).toBeNull();
    expect((await problemOf(beyond, 404)).invalidParams?.map((p) => p.name)).toEqual(['size']);
    // The size of a signed head that holds it: the proof.
    const ok = await proof(token, record.id, `?size=${record.treeSize}`);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(((await ok.json()) as { head: { tree_size: number } }).head.tree_size).toBe(record.treeSize);
    // The public consistency proof likewise names the size that has no signed head.
    const consistency = await fetch(
      `${gateway}/log/v1/${encodeURIComponent(record.logId)}/consistency?first=1&second=${record.treeSize + 1000}`,
    );
    expect((await problemOf(consistency, 404)).invalidParams?.map((p) => p.name)).toEqual(['second']);
  });
});
