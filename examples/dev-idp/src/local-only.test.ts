import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevIdpApp } from './app.ts';

/** On loopback the identity provider is for this machine only: a foreign Host gets 421 on every path. */
const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
const options = {
  issuer: 'http://localhost:8303',
  privateKey,
  audience: 'poortwachter-inzage',
  persons: [{ bsn: '999993653', name: 'Suzanne Moulin' }],
};
const token = (app: ReturnType<typeof createDevIdpApp>, host: string) =>
  app.request('/token', {
    method: 'POST',
    headers: { host, 'content-type': 'application/json' },
    body: JSON.stringify({ bsn: '999993653' }),
  });

describe('the development identity provider on loopback', () => {
  const app = createDevIdpApp({ ...options, localOnlyPort: () => 8303 });

  it('gives a token to a request addressed by a loopback name of its own port', async () => {
    for (const host of ['localhost:8303', '127.0.0.1:8303', '[::1]:8303']) {
      expect((await token(app, host)).status, host).toBe(200);
    }
  });

  it('answers 421 with one plain line to any other name or port, on every path', async () => {
    for (const host of ['rebind.evil.example:8303', 'localhost:8305', '10.0.0.8:8303']) {
      const res = await token(app, host);
      expect(res.status, host).toBe(421);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toMatch(/^Misdirected request: [^\n]*127\.0\.0\.1:8303[^\n]*\n$/);
    }
    for (const path of ['/', '/authorize', '/.well-known/jwks.json', '/healthz']) {
      const res = await app.request(path, { headers: { host: 'rebind.evil.example:8303' } });
      expect(res.status, path).toBe(421);
    }
  });

  it('is open to any name when it is not for this machine only (DEV_IDP_ALLOW_REMOTE=test)', async () => {
    expect((await token(createDevIdpApp(options), 'idp.test.internal:8303')).status).toBe(200);
  });
});
