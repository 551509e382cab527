/**
 * NOT FOR PRODUCTION: the development identity provider's server entry (a DigiD stand-in).
 * Environment: PORT (8303), HOST (127.0.0.1), DATA_DIR (./data; reads keys/dev-idp.jwk.json, made by
 * the registry's demo seed), IDP_PUBLIC_URL (http://localhost:8303, the issuer the registry knows).
 * It gives anyone a token for any BSN, so it refuses to listen beyond this machine unless
 * DEV_IDP_ALLOW_REMOTE=test says that it runs for a test on an isolated network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { bindHost, dataDir, isLoopback, urlHost } from '@poortwachter/registry';
import { DEV_IDENTITY_PROVIDER } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { createDevIdpApp } from './app.ts';

const port = Number(process.env.PORT || 8303);
const host = bindHost();
if (!isLoopback(host) && process.env.DEV_IDP_ALLOW_REMOTE !== 'test') {
  console.error(
    `dev identity provider: refusing to listen on ${host}: it hands out a token for any BSN to anyone. ` +
      'It binds to 127.0.0.1; set DEV_IDP_ALLOW_REMOTE=test only for a test on an isolated network.',
  );
  process.exit(2);
}
const keyFile = join(dataDir(), 'keys', DEV_IDENTITY_PROVIDER.keyFile);
if (!existsSync(keyFile)) {
  console.error(`dev identity provider: no key at ${keyFile}; start the registry first (it seeds the key)`);
  process.exit(1);
}
const issuer = process.env.IDP_PUBLIC_URL || DEV_IDENTITY_PROVIDER.issuer;
const app = createDevIdpApp({
  issuer,
  privateKey: JSON.parse(readFileSync(keyFile, 'utf8')) as JWK,
  audience: DEV_IDENTITY_PROVIDER.audience,
});
const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(
    `development identity provider (NOT FOR PRODUCTION, DigiD stand-in) on http://${urlHost(host)}:${info.port}`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
