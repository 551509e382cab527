/**
 * NOT FOR PRODUCTION: the development identity provider's server entry (a DigiD stand-in). It gives
 * anyone a token for any BSN, so it runs only with POORTWACHTER_DEMO=true, binds to loopback unless
 * DEV_IDP_ALLOW_REMOTE=test, and on loopback answers only a Host that is a loopback name of its port
 * (421 otherwise). Settings: ./settings.ts (README: Configuration).
 */ import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLogger,
  failSetting,
  listen,
  readPrivateKey,
  runServer,
  startupSettings,
  stopOnSignals,
  tlsFromEnv,
} from '@poortwachter/operations';
import { bindHost, dataDir, isLoopback } from '@poortwachter/registry';
import { DEV_IDENTITY_PROVIDER, loadPersonen } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { createDevIdpApp } from './app.ts';
import { devIdpSettings } from './settings.ts';

const log = createLogger('dev-idp');
await runServer(log, async () => {
  const settings = startupSettings(log, devIdpSettings);
  const fail = failSetting;
  if (!settings.POORTWACHTER_DEMO)
    fail(
      'POORTWACHTER_DEMO must be true for the development identity provider: it hands out a token for any BSN, for the demo only',
    );
  const port = settings.PORT;
  const tls = tlsFromEnv(process.env, fail);
  const host = bindHost({ HOST: settings.HOST });
  const allowRemote = settings.DEV_IDP_ALLOW_REMOTE;
  if (!isLoopback(host) && allowRemote !== 'test') {
    fail(
      `refusing to listen on ${host}: it hands out a token for any BSN to anyone. ` +
        'It binds to 127.0.0.1; set DEV_IDP_ALLOW_REMOTE=test only for a test on an isolated network.',
    );
  }
  const keyFile = join(dataDir({ DATA_DIR: settings.DATA_DIR }), 'keys', DEV_IDENTITY_PROVIDER.keyFile);
  if (!existsSync(keyFile)) fail(`no key at ${keyFile}; start the registry first (it seeds the key)`);
  const redirectUris = settings.IDP_REDIRECT_URIS ?? [];
  const issuer = settings.IDP_PUBLIC_URL;
  const app = createDevIdpApp({
    issuer,
    privateKey: readPrivateKey<JWK>('DATA_DIR', keyFile, settings.POORTWACHTER_DEMO),
    audience: DEV_IDENTITY_PROVIDER.audience,
    clients: redirectUris.length > 0 ? [{ clientId: settings.IDP_CLIENT_ID, redirectUris }] : [],
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
    drainTimeoutMs: settings.DRAIN_TIMEOUT_SECONDS * 1000,
    close: async () => undefined,
  });
});

/** "Suzanne Moulin": voornamen, voorvoegsel and geslachtsnaam of a test person, as the login page lists them. */
function personName(p: Record<string, unknown>): string {
  const naam = (p.naam ?? {}) as { voornamen?: string; voorvoegsel?: string; geslachtsnaam?: string };
  return [naam.voornamen, naam.voorvoegsel, naam.geslachtsnaam].filter(Boolean).join(' ') || 'naam onbekend';
}
