import { createHash, generateKeyPairSync } from 'node:crypto';
import { decodeJwt, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevIdpApp } from './app.ts';

/** The browser login flow a DigiD broker offers: authorization code with PKCE (RFC 7636), one client. */
const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
const REDIRECT = 'http://localhost:8305/';
const app = createDevIdpApp({
  issuer: 'http://localhost:8303',
  privateKey,
  audience: 'poortwachter-inzage',
  clients: [{ clientId: 'poortwachter-portal', redirectUris: [REDIRECT] }],
  persons: [
    { bsn: '999993653', name: 'Suzanne Moulin' },
    { bsn: '999990639', name: 'Piet <script>alert(1)</script> Jansen' },
  ],
});

const verifier = `${'a'.repeat(20)}${'B'.repeat(20)}-._~0123`;
const challenge = createHash('sha256').update(verifier).digest('base64url');
const authorize = (extra: Record<string, string> = {}) =>
  new URLSearchParams({
    response_type: 'code',
    client_id: 'poortwachter-portal',
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'xyz',
    ...extra,
  });

async function codeFor(bsn: string, params = authorize()) {
  const res = await app.request('/authorize', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...Object.fromEntries(params), bsn }),
  });
  expect(res.status).toBe(303);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('xyz');
  return location.searchParams.get('code') ?? '';
}

const token = (form: Record<string, string>, origin = 'http://localhost:8305') =>
  app.request('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      client_id: 'poortwachter-portal',
      ...form,
    }),
  });

describe('dev identity provider: the browser login (authorization code with PKCE)', () => {
  it('shows a page to pick a test person, with the request carried along and names escaped', async () => {
    const res = await app.request(`/authorize?${authorize({ q: 'jansen' })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('lang="nl"');
    expect(html).toContain('NIET VOOR PRODUCTIE');
    expect(html).toContain('Piet &lt;script&gt;alert(1)&lt;/script&gt; Jansen');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('Suzanne');
    expect(html).toContain(`value="${challenge}"`);
  });

  it('gives a token for the person picked, once, to the verifier the challenge was made from', async () => {
    const code = await codeFor('999993653');
    const res = await token({ code, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8305');
    const body = (await res.json()) as { access_token: string };
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: '999993653', aud: 'poortwachter-inzage', acr: 'midden' });
    // A code is used once.
    const again = await token({ code, code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('refuses a wrong verifier, another redirect URI or client, and burns the code', async () => {
    const code = await codeFor('999993653');
    expect((await token({ code, code_verifier: `${verifier}x` })).status).toBe(400);
    expect((await token({ code, code_verifier: verifier })).status).toBe(400);
    const second = await codeFor('999993653');
    expect(
      (await token({ code: second, code_verifier: verifier, redirect_uri: 'http://localhost:8305/x' })).status,
    ).toBe(400);
    const third = await codeFor('999993653');
    expect((await token({ code: third, code_verifier: verifier, client_id: 'other' })).status).toBe(400);
  });

  it('sends no code to an unregistered redirect URI, and insists on PKCE', async () => {
    for (const params of [
      authorize({ redirect_uri: 'https://evil.example/' }),
      authorize({ client_id: 'unknown' }),
      authorize({ code_challenge_method: 'plain' }),
      authorize({ code_challenge: 'short' }),
      authorize({ response_type: 'token' }),
    ]) {
      const page = await app.request(`/authorize?${params}`);
      expect(page.status).toBe(400);
      const post = await app.request('/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...Object.fromEntries(params), bsn: '999993653' }),
      });
      expect(post.status).toBe(400);
      expect(post.headers.get('location')).toBeNull();
    }
  });

  it('says which BSN is wrong, and lets no other origin read a token', async () => {
    const res = await app.request('/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(authorize()), bsn: '', 'bsn-typed': '123456789' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Dit BSN klopt niet');
    const code = await codeFor('999993653');
    const foreign = await token({ code, code_verifier: verifier }, 'https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
