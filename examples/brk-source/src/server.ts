/**
 * The example BRK source's server entry. Environment: PORT (8308), HOST (127.0.0.1),
 * BRK_SOURCE_PUBLIC_URL (the URL its links start with; default http://localhost:<port>), BRP_PUBLIC_URL
 * (where links to persons with a BSN point; default http://localhost:8301, the example BRP source),
 * TLS_CERT_FILE and TLS_KEY_FILE (serve HTTPS), TLS_CLIENT_CA_FILE with TLS_REQUIRE_CLIENT_CERT=true
 * (mutual TLS), DRAIN_TIMEOUT_SECONDS (20), LOG_LEVEL and the standard OTEL_* variables. A setting it
 * cannot use stops the start (exit 2).
 */
import {
  createLogger,
  listen,
  runServer,
  startTelemetry,
  startupEnvironment,
  stopOnSignals,
  tlsFromEnv,
  withServerSpans,
} from '@poortwachter/operations';
import { bindHost, isLoopback } from '@poortwachter/registry';
import { loadBrkFixtures } from '@poortwachter/seeds';
import { createBrkSourceApp } from './app.ts';

const log = createLogger('brk-source');

await runServer(log, async () => {
  const { fail, port, positive } = startupEnvironment(log);
  const httpUrl = (name: string): string | undefined => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash)
      fail(`${name} must be an http(s) URL without query or fragment, got ${JSON.stringify(raw)}`);
    return raw.replace(/\/+$/, '');
  };
  const publicUrlSetting = httpUrl('BRK_SOURCE_PUBLIC_URL');
  const brpUrl = httpUrl('BRP_PUBLIC_URL');
  const telemetry = startTelemetry('example-brk-source');
  const tls = tlsFromEnv(process.env, fail);
  const fixtures = loadBrkFixtures();
  let app: ReturnType<typeof createBrkSourceApp> | undefined;
  const host = bindHost();
  // It answers anyone who reaches it, unsigned: on loopback, only requests addressed to this machine,
  // so a web page elsewhere cannot read it through DNS rebinding, past the gateway and its log.
  const listening = await listen({
    // The app needs its public URL, which with PORT=0 is known only once it listens.
    fetch: withServerSpans('example-brk-source', (request, ...rest: unknown[]) =>
      (app as NonNullable<typeof app>).fetch(request, ...(rest as [])),
    ),
    port: port(8308),
    hostname: host,
    forThisMachineOnly: isLoopback(host),
    ...(tls ? { tls } : {}),
  });
  const publicUrl = publicUrlSetting ?? `${tls ? 'https' : 'http'}://localhost:${listening.port}`;
  app = createBrkSourceApp({ fixtures, publicUrl, ...(brpUrl ? { brpUrl } : {}) });
  log.info(
    { url: listening.url, public_url: publicUrl, zaken: fixtures.kadastraalOnroerendeZaken.length },
    `example BRK source (BRK bevragen 2.0) listening on ${listening.url}/kadastraalonroerendezaken, ${fixtures.kadastraalOnroerendeZaken.length} kadastraal onroerende zaken (it answers anyone who reaches it: keep it on loopback, behind the gateway)`,
  );
  stopOnSignals(listening, {
    component: 'brk-source',
    log,
    drainTimeoutMs: positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000,
    close: () => telemetry.shutdown(),
  });
});
