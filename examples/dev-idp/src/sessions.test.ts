import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevIdpApp } from './app.ts';
import { createSessionStore } from './sessions.ts';

/** Test persons only (issue 25, item 8), and sessions that logging out ends (item 9). */
const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
const options = {
  issuer: 'http://localhost:8303',
  privateKey,
  audience: 'poortwachter-inzage',
  clients: [{ clientId: 'poortwachter-portal', redirectUris: ['http://localhost:8305/'] }],
  persons: [{ bsn: '999993653', name: 'Suzanne Moulin' }],
};
const app = createDevIdpApp(options);

const token = async (bsn: string, idp = app) =>
  idp.request('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bsn }),
  });
const accessToken = async (idp = app) =>
  ((await (await token('999993653', idp)).json()) as { access_token: string }).access_token;
const form = (path: string, body: Record<string, string>, headers: Record<string, string> = {}, idp = app) =>
  idp.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  });
const active = async (t: string, idp = app) =>
  ((await (await form('/introspect', { token: t }, {}, idp)).json()) as { active: boolean }).active;

describe('dev identity provider: test persons only, sessions that end', () => {
  it('refuses a BSN that passes the elfproef but is no test person, naming bsn', async () => {
    const res = await token('111222333');
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { invalidParams: { name: string; code: string }[] };
    expect(problem.invalidParams).toEqual([expect.objectContaining({ name: 'bsn', code: 'testPerson' })]);
    expect((await token('123456789')).status).toBe(400);
    expect((await token('999993653')).status).toBe(200);
  });

  it('gives each token its own session; revoking one ends that one only', async () => {
    const [first, second] = [await accessToken(), await accessToken()];
    const claims = decodeJwt(first);
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.sid).not.toBe(decodeJwt(second).sid);
    const introspected = (await (await form('/introspect', { token: first })).json()) as Record<string, unknown>;
    expect(introspected).toMatchObject({ active: true, sub: '999993653', sid: claims.sid, token_type: 'Bearer' });
    const revoked = await form('/revoke', { token: first }, { origin: 'http://localhost:8305' });
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get('access-control-allow-origin')).toBe('http://localhost:8305');
    expect(await active(first)).toBe(false);
    expect(await active(second)).toBe(true);
  });

  it('says inactive for tokens it did not issue, and forgets every session when it restarts', async () => {
    const before = await accessToken();
    expect(await active('a.b.c')).toBe(false);
    const restarted = createDevIdpApp(options);
    expect(await active(before, restarted)).toBe(false);
    expect(await active(await accessToken(restarted), restarted)).toBe(true);
    expect((await form('/introspect', {})).status).toBe(400);
  });

  it('keeps at most so many sessions, ending the oldest first', () => {
    let now = 0;
    const store = createSessionStore(() => now, 2);
    const [a, b, c] = [store.start(60_000), store.start(60_000), store.start(60_000)];
    expect([store.isActive(a), store.isActive(b), store.isActive(c)]).toEqual([false, true, true]);
    now = 60_000;
    expect(store.isActive(c)).toBe(false);
  });
});
