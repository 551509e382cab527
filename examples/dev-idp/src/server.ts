/**
 * NOT FOR PRODUCTION: the development identity provider's server entry (a DigiD stand-in).
 * Environment: PORT (8303), HOST (127.0.0.1), DATA_DIR (./data; reads keys/dev-idp.jwk.json, made by
 * the registry's demo seed), IDP_PUBLIC_URL (http://localhost:8303, the issuer the registry knows).
 * It gives anyone a token for any BSN, so it refuses to listen beyond this machine unless
 * DEV_IDP_ALLOW_REMOTE=test (its only value) says that it runs for a test on an isolated network; on
 * loopback it answers only a Host that is a loopback name of its port (421 otherwise).
 * TLS_CERT_FILE/TLS_KEY_FILE: HTTPS (TLS_CLIENT_CA_FILE, TLS_REQUIRE_CLIENT_CERT `true` or `false`).
 * LOG_LEVEL (`trace` … `fatal` or `silent`; info). A flag or enumeration with any other value stops the
 * start (exit 2).
 * IDP_CLIENT_ID (poortwachter-portal) and IDP_REDIRECT_URIS (comma-separated exact URIs): the browser
 * application that may log citizens in with `GET /authorize` (authorization code with PKCE).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLogger,
  listen,
  runServer,
  startupEnvironment,
  stopOnSignals,
  tlsFromEnv,
} from '@poortwachter/operations';
import { bindHost, dataDir, isLoopback } from '@poortwachter/registry';
import { DEV_IDENTITY_PROVIDER, loadPersonen } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { createDevIdpApp } from './app.ts';

const log = createLogger('dev-idp');
await runServer(log, async () => {
  const { fail, port: portOf, positive, oneOf } = startupEnvironment(log);
  const port = portOf(8303);
  const tls = tlsFromEnv(process.env, fail);
  const host = bindHost();
  const allowRemote = oneOf('DEV_IDP_ALLOW_REMOTE', ['test']);
  if (!isLoopback(host) && allowRemote !== 'test') {
    fail(
      `refusing to listen on ${host}: it hands out a token for any BSN to anyone. ` +
        'It binds to 127.0.0.1; set DEV_IDP_ALLOW_REMOTE=test only for a test on an isolated network.',
    );
  }
  const keyFile = join(dataDir(), 'keys', DEV_IDENTITY_PROVIDER.keyFile);
  if (!existsSync(keyFile)) fail(`no key at ${keyFile}; start the registry first (it seeds the key)`);
  const redirectUris = (process.env.IDP_REDIRECT_URIS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const uri of redirectUris) {
    if (!URL.canParse(uri)) fail(`IDP_REDIRECT_URIS holds ${JSON.stringify(uri)}, which is not a URL`);
  }
  const issuer = process.env.IDP_PUBLIC_URL || DEV_IDENTITY_PROVIDER.issuer;
  const app = createDevIdpApp({
    issuer,
    privateKey: JSON.parse(readFileSync(keyFile, 'utf8')) as JWK,
    audience: DEV_IDENTITY_PROVIDER.audience,
    clients:
      redirectUris.length > 0 ? [{ clientId: process.env.IDP_CLIENT_ID || 'poortwachter-portal', redirectUris }] : [],
    persons: loadPersonen().map((p) => ({ bsn: p.burgerservicenummer, name: personName(p) })),
  });
  // On loopback, for this machine only: a page elsewhere whose name resolves to 127.0.0.1 (DNS
  // rebinding) gets no token.
  const listening = await listen({
    fetch: app.fetch,
    port,
    hostname: host,
    forThisMachineOnly: isLoopback(host),
    ...(tls ? { tls } : {}),
  });
  log.info(
    { url: listening.url },
    `development identity provider (NOT FOR PRODUCTION, DigiD stand-in) on ${listening.url}`,
  );
  stopOnSignals(listening, {
    component: 'dev-idp',
    log,
    drainTimeoutMs: positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000,
    close: async () => undefined,
  });
});

/** "Suzanne Moulin": voornamen, voorvoegsel and geslachtsnaam of a test person, as the login page lists them. */
function personName(p: Record<string, unknown>): string {
  const naam = (p.naam ?? {}) as { voornamen?: string; voorvoegsel?: string; geslachtsnaam?: string };
  return [naam.voornamen, naam.voorvoegsel, naam.geslachtsnaam].filter(Boolean).join(' ') || 'naam onbekend';
}
