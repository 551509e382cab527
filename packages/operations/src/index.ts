export { cliCommandHere, LAUNCHER_VARIABLE } from './cli-here.ts';
export { DEMO_KEY_MEMBER, isDemoKey, markDemoKey, readPrivateKey, refuseDemoKey } from './demo-keys.ts';
export { withServerSpans } from './http-spans.ts';
export { createLogger, failureReporter, type Logger } from './logger.ts';
export { misspeltSettings, readSettings, SettingError, type SettingsOf, type SettingsSchema } from './read-settings.ts';
export { nameServerSpan, requestRoute, UNMATCHED_ROUTE } from './request-route.ts';
export {
  type Drain,
  ListenError,
  type Listening,
  listen,
  type PemContent,
  readPemSetting,
  readSettingFile,
  type ServerTls,
  STOP_MESSAGE,
  stopOnSignals,
  tlsFromEnv,
} from './serve.ts';
export {
  alternatives,
  kinds,
  LOG_LEVELS,
  type Setting,
  type SettingDoc,
  serverSettings,
  shownDatabaseUrl,
} from './setting-kinds.ts';
export { failSetting, runServer, startupSettings } from './settings.ts';
export { metricsHandler, startTelemetry, type Telemetry } from './telemetry.ts';
export { readTrustAnchors, trustAnchorsSetting } from './trust-anchors.ts';
export {
  type CollectorWitness,
  type PendingCheckpoint,
  startWitnessCollector,
  type WitnessCollector,
  type WitnessCollectorOptions,
  type WitnessFinding,
  type WitnessState,
} from './witness-collector.ts';
