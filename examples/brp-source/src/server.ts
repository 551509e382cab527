/** The example BRP source's server entry. Settings: ./settings.ts (README: Configuration). */ import {
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
import { loadPersonen } from '@poortwachter/seeds';
import { createBrpSourceApp } from './app.ts';
import { brpSourceSettings } from './settings.ts';

const log = createLogger('brp-source');

await runServer(log, async () => {
  const settings = startupSettings(log, brpSourceSettings);
  const telemetry = startTelemetry('example-brp-source');
  const tls = tlsFromEnv(process.env, failSetting);
  const personen = loadPersonen();
  const app = createBrpSourceApp({ personen });
  const host = bindHost({ HOST: settings.HOST });
  // It answers anyone who reaches it, unsigned: on loopback, only requests addressed to this machine,
  // so a web page elsewhere cannot read it through DNS rebinding, past the gateway and its log.
  const listening = await listen({
    fetch: withServerSpans('example-brp-source', app.fetch),
    port: settings.PORT,
    hostname: host,
    forThisMachineOnly: isLoopback(host),
    ...(tls ? { tls } : {}),
  });
  log.info(
    { url: listening.url, persons: personen.length, mutual_tls: tls?.requireClientCert === true },
    `example BRP source (BRP API Personen 2.x) listening on ${listening.url}/personen, ${personen.length} test persons (it answers anyone who reaches it: keep it on loopback, behind the gateway)`,
  );
  stopOnSignals(listening, {
    component: 'brp-source',
    log,
    drainTimeoutMs: settings.DRAIN_TIMEOUT_SECONDS * 1000,
    close: () => telemetry.shutdown(),
  });
});
