/**
 * The citizens' page's server entry. Environment: PORT (8305), HOST (127.0.0.1), DATA_DIR (./data;
 * reads keys/registry.public.jwk.json, the registry key the page pins), REGISTRY_PUBLIC_URL
 * (http://localhost:8300, the registry as browsers reach it), IDP_PUBLIC_URL (http://localhost:8303,
 * the identity provider), IDP_CLIENT_ID (poortwachter-portal), IDP_DEVELOPMENT (`true` or `false`, default
 * true: the page says one logs in as a test person), TLS_CERT_FILE/TLS_KEY_FILE (HTTPS), DRAIN_TIMEOUT_SECONDS,
 * AUDITOR_PAGE_URL (only on a machine that runs everything, as `pnpm start`: where the auditor's local
 * page is, http://localhost:8306; the footer links to it, and nothing is passed through to it).
 * TLS_CLIENT_CA_FILE and TLS_REQUIRE_CLIENT_CERT (`true` or `false`), LOG_LEVEL (`trace` … `fatal` or
 * `silent`; info). A flag or enumeration with any other value stops the start (exit 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  listen,
  runServer,
  startupEnvironment,
  stopOnSignals,
  tlsFromEnv,
} from '@poortwachter/operations';
import { bindHost, dataDir } from '@poortwachter/registry';
import type { JWK } from 'jose';
import { createPortalApp } from '../app.ts';
import { type PortalBundle, readPortalBundle } from '../page-bundle.ts';

const log = createLogger('portal');
await runServer(log, async () => {
  const { fail, port: portOf, positive, flag } = startupEnvironment(log);
  const development = flag('IDP_DEVELOPMENT', true);
  const port = portOf(8305);
  const tls = tlsFromEnv(process.env, fail);
  const keyFile = join(dataDir(), 'keys', 'registry.public.jwk.json');
  if (!existsSync(keyFile)) fail(`no registry key at ${keyFile}; start the registry first (it writes the key)`);
  const url = (name: string, fallback: string) => {
    const value = process.env[name] || fallback;
    if (!URL.canParse(value)) fail(`${name} is ${JSON.stringify(value)}, which is not a URL`);
    return value.replace(/\/+$/, '');
  };
  const idp = url('IDP_PUBLIC_URL', 'http://localhost:8303');
  const auditorPage = process.env.AUDITOR_PAGE_URL ? url('AUDITOR_PAGE_URL', '') : undefined;
  const started = performance.now();
  const bundle = await pageBundle(fail);
  const app = createPortalApp({
    bundle,
    config: {
      registryUrl: url('REGISTRY_PUBLIC_URL', 'http://localhost:8300'),
      registryKey: JSON.parse(readFileSync(keyFile, 'utf8')) as JWK,
      identityProvider: {
        name: development ? 'ontwikkel-inlog (testpersonen)' : 'DigiD',
        authorizeUrl: `${idp}/authorize`,
        tokenUrl: `${idp}/token`,
        revocationUrl: `${idp}/revoke`,
        clientId: process.env.IDP_CLIENT_ID || 'poortwachter-portal',
        development,
      },
      ...(auditorPage ? { auditorUrl: `${auditorPage}/` } : {}),
    },
  });
  const listening = await listen({ fetch: app.fetch, port, hostname: bindHost(), ...(tls ? { tls } : {}) });
  log.info(
    { url: listening.url, integrity: bundle.integrity, buildMs: Math.round(performance.now() - started) },
    `citizens' page on ${listening.url} (script ${bundle.integrity})`,
  );
  stopOnSignals(listening, {
    component: 'portal',
    log,
    drainTimeoutMs: positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000,
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
