import { Hono } from 'hono';
import type { JWK } from 'jose';
import type { PortalBundle } from './page-bundle.ts';

/** What the page needs to know, served as /config.json: public facts only. */
export interface PortalConfig {
  /** The registry as the citizen's browser reaches it. */
  readonly registryUrl: string;
  /** The registry's public key, pinned by the portal: the page verifies the directory against it. */
  readonly registryKey: JWK | { keys: JWK[] };
  readonly identityProvider: {
    readonly name: string;
    readonly authorizeUrl: string;
    readonly tokenUrl: string;
    /** Its token revocation endpoint (RFC 7009): Uitloggen ends the session there. */
    readonly revocationUrl?: string;
    readonly clientId: string;
    /** The development identity provider: the page says that one logs in as a test person. */
    readonly development: boolean;
  };
  /**
   * Where the auditor's page is, when this machine runs one (`pnpm start`: http://localhost:8306/, by
   * the same name as this page, so that the click is same-site): the footer links to it. A link only:
   * that page lives at its own origin and answers this machine only; nothing here passes requests to it.
   */
  readonly auditorUrl?: string;
}

/**
 * The citizens' page: a static page and its script. It serves no personal data and holds no token;
 * the browser fetches and checks everything itself. Strict headers: the script only from here (with
 * its integrity hash), no framing, no referrer (a login code never leaks to a linked site).
 *
 * @example
 * const app = createPortalApp({ bundle: await buildPortal(), config });
 */
export function createPortalApp(options: { readonly bundle: PortalBundle; readonly config: PortalConfig }) {
  const { bundle, config } = options;
  const app = new Hono();
  const idpOrigin = new URL(config.identityProvider.authorizeUrl).origin;
  const { revocationUrl } = config.identityProvider;
  const revocationOrigin = revocationUrl ? ` ${new URL(revocationUrl).origin}` : '';
  const security = {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      // The registry and every gateway in the directory: gateways come and go, so any https origin,
      // and http on this machine for development.
      `connect-src 'self' https: http://localhost:* http://127.0.0.1:* ${new URL(config.registryUrl).origin} ${new URL(config.identityProvider.tokenUrl).origin}${revocationOrigin}`,
      `form-action 'self' ${idpOrigin}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(security)) c.res.headers.set(name, value);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Nothing to wait for once listening: ready as soon as alive (the image's HEALTHCHECK asks every role /readyz).
  app.get('/readyz', (c) => c.json({ status: 'ok' }));
  app.get('/', (c) => c.html(bundle.html, 200, { 'cache-control': 'no-cache' }));
  app.get('/app.js', (c) =>
    c.body(bundle.script, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  app.get('/styles.css', (c) =>
    c.body(bundle.css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  app.get('/config.json', (c) => c.json(config, 200, { 'cache-control': 'no-cache' }));
  /** The hash of the script, for anyone who rebuilds it from the sources and compares. */
  app.get('/build-info', (c) =>
    c.json({ script: '/app.js', integrity: bundle.integrity, bytes: bundle.script.length }),
  );
  app.notFound((c) => c.text('Deze pagina bestaat niet.', 404));
  return app;
}
