export { withServerSpans } from './http-spans.ts';
export { createLogger, failureReporter, type Logger } from './logger.ts';
export { nameServerSpan, requestRoute, UNMATCHED_ROUTE } from './request-route.ts';
export {
  type Drain,
  ListenError,
  type Listening,
  listen,
  readSettingFile,
  type ServerTls,
  STOP_MESSAGE,
  stopOnSignals,
  tlsFromEnv,
} from './serve.ts';
export { runServer, startupEnvironment } from './settings.ts';
export { metricsHandler, startTelemetry, type Telemetry } from './telemetry.ts';
