/** The example BRK source's server entry. Settings: ./settings.ts (README: Configuration). */ import {
  createLogger,
  failSetting,
  listen,
  runServer,
  startTelemetry,
  startupSettings,
  stopOnSignals,
  tlsFromEnv,
  withServerSpans,
} from '@poortwachter/operations';
import { bindHost, isLoopback } from '@poortwachter/registry';
import { loadBrkFixtures } from '@poortwachter/seeds';
import { createBrkSourceApp } from './app.ts';
import { brkSourceSettings } from './settings.ts';

const log = createLogger('brk-source');

await runServer(log, async () => {
  const settings = startupSettings(log, brkSourceSettings);
  const publicUrlSetting = settings.BRK_SOURCE_PUBLIC_URL;
  const brpUrl = settings.BRP_PUBLIC_URL;
  const telemetry = startTelemetry('example-brk-source');
  const tls = tlsFromEnv(process.env, failSetting);
  const fixtures = loadBrkFixtures();
  let app: ReturnType<typeof createBrkSourceApp> | undefined;
  const host = bindHost({ HOST: settings.HOST });
  // It answers anyone who reaches it, unsigned: on loopback, only requests addressed to this machine,
  // so a web page elsewhere cannot read it through DNS rebinding, past the gateway and its log.
  const listening = await listen({
    // The app needs its public URL, which with PORT=0 is known only once it listens.
    fetch: withServerSpans('example-brk-source', (request, ...rest: unknown[]) =>
      (app as NonNullable<typeof app>).fetch(request, ...(rest as [])),
    ),
    port: settings.PORT,
    hostname: host,
    forThisMachineOnly: isLoopback(host),
    ...(tls ? { tls } : {}),
  });
  const publicUrl = publicUrlSetting ?? `${tls ? 'https' : 'http'}://localhost:${listening.port}`;
  app = createBrkSourceApp({ fixtures, publicUrl, brpUrl });
  log.info(
    { url: listening.url, public_url: publicUrl, zaken: fixtures.kadastraalOnroerendeZaken.length },
    `example BRK source (BRK bevragen 2.0) listening on ${listening.url}/kadastraalonroerendezaken, ${fixtures.kadastraalOnroerendeZaken.length} kadastraal onroerende zaken (it answers anyone who reaches it: keep it on loopback, behind the gateway)`,
  );
  stopOnSignals(listening, {
    component: 'brk-source',
    log,
    drainTimeoutMs: settings.DRAIN_TIMEOUT_SECONDS * 1000,
    close: () => telemetry.shutdown(),
  });
});
