/** The citizens' page's server entry. Settings: ./settings.ts (README: Configuration). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  failSetting,
  listen,
  runServer,
  startupSettings,
  stopOnSignals,
  tlsFromEnv,
} from '@poortwachter/operations';
import { bindHost, dataDir } from '@poortwachter/registry';
import type { JWK } from 'jose';
import { createPortalApp } from '../app.ts';
import { type PortalBundle, readPortalBundle } from '../page-bundle.ts';
import { portalSettings } from './settings.ts';

const log = createLogger('portal');
await runServer(log, async () => {
  const settings = startupSettings(log, portalSettings);
  const development = settings.IDP_DEVELOPMENT;
  const tls = tlsFromEnv(process.env, failSetting);
  const keyFile = join(dataDir({ DATA_DIR: settings.DATA_DIR }), 'keys', 'registry.public.jwk.json');
  if (!existsSync(keyFile)) failSetting(`no registry key at ${keyFile}; start the registry first (it writes the key)`);
  const idp = settings.IDP_PUBLIC_URL;
  const auditorPage = settings.AUDITOR_PAGE_URL;
  const started = performance.now();
  const bundle = await pageBundle(failSetting);
  const app = createPortalApp({
    bundle,
    config: {
      registryUrl: settings.REGISTRY_PUBLIC_URL,
      registryKey: JSON.parse(readFileSync(keyFile, 'utf8')) as JWK,
      identityProvider: {
        name: development ? 'ontwikkel-inlog (testpersonen)' : 'DigiD',
        authorizeUrl: `${idp}/authorize`,
        tokenUrl: `${idp}/token`,
        revocationUrl: `${idp}/revoke`,
        clientId: settings.IDP_CLIENT_ID,
        development,
      },
      ...(auditorPage ? { auditorUrl: `${auditorPage}/` } : {}),
    },
  });
  const listening = await listen({
    fetch: app.fetch,
    port: settings.PORT,
    hostname: bindHost({ HOST: settings.HOST }),
    ...(tls ? { tls } : {}),
  });
  log.info(
    { url: listening.url, integrity: bundle.integrity, buildMs: Math.round(performance.now() - started) },
    `citizens' page on ${listening.url} (script ${bundle.integrity})`,
  );
  stopOnSignals(listening, {
    component: 'portal',
    log,
    drainTimeoutMs: settings.DRAIN_TIMEOUT_SECONDS * 1000,
    close: async () => undefined,
  });
});

/**
 * Built (`dist/server/main.js`): the bundle `pnpm build` wrote into `dist/page`, no esbuild at run time.
 * From the sources (`pnpm start`, the tests): bundled now with esbuild, a development dependency. The
 * builder's path is not a literal so that tsc neither follows nor emits it into dist.
 */
async function pageBundle(fail: (message: string) => never): Promise<PortalBundle> {
  if (import.meta.url.endsWith('.ts')) {
    const builder = '../build.ts';
    const { buildPortal } = (await import(builder)) as { buildPortal: () => Promise<PortalBundle> };
    return buildPortal();
  }
  const dir = fileURLToPath(new URL('../page', import.meta.url));
  if (!existsSync(dir)) fail(`no page bundle at ${dir}; build the portal first (pnpm build)`);
  return readPortalBundle(dir);
}
