/**
 * The example BRP source's server entry. Environment: PORT (8301), HOST (127.0.0.1), TLS_CERT_FILE and
 * TLS_KEY_FILE (serve HTTPS), TLS_CLIENT_CA_FILE with TLS_REQUIRE_CLIENT_CERT=true (`true` or `false`,
 * default false; mutual TLS: only a gateway with a client certificate from that CA gets an answer),
 * DRAIN_TIMEOUT_SECONDS (20), LOG_LEVEL (`trace` … `fatal` or `silent`; info) and the standard OTEL_*
 * variables. A flag or enumeration with any other value stops the start (exit 2).
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
import { loadPersonen } from '@poortwachter/seeds';
import { createBrpSourceApp } from './app.ts';

const log = createLogger('brp-source');

await runServer(log, async () => {
  const { fail, port, positive } = startupEnvironment(log);
  const telemetry = startTelemetry('example-brp-source');
  const tls = tlsFromEnv(process.env, fail);
  const personen = loadPersonen();
  const app = createBrpSourceApp({ personen });
  const host = bindHost();
  // It answers anyone who reaches it, unsigned: on loopback, only requests addressed to this machine,
  // so a web page elsewhere cannot read it through DNS rebinding, past the gateway and its log.
  const listening = await listen({
    fetch: withServerSpans('example-brp-source', app.fetch),
    port: port(8301),
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
    drainTimeoutMs: positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000,
    close: () => telemetry.shutdown(),
  });
});
