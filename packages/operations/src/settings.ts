import type { Logger } from 'pino';
import { misspeltSettings, readSettings, SettingError, type SettingsOf, type SettingsSchema } from './read-settings.ts';
import { kinds, LOG_LEVELS, type LogLevel, type Setting } from './setting-kinds.ts';

export { LOG_LEVELS, type LogLevel, SettingError };

const throwSetting = (message: string): never => {
  throw new SettingError(message);
};

/**
 * One setting read on its own, through the same kinds as the servers' schemas (`readSettings`), for
 * what reads a setting or two outside a schema (the telemetry's OTEL_* values, `pnpm start`'s ports):
 * a value that is not one of the documented ones never quietly means the default, `fail` gets one
 * line naming the setting and the values it accepts. Unset and empty are the default.
 *
 * @example
 * const { flag, oneOf } = settings(process.env);
 * const requireClientCert = flag('TLS_REQUIRE_CLIENT_CERT', false);
 */
export function settings(env: NodeJS.ProcessEnv, fail: (message: string) => never = throwSetting) {
  const one = <T>(name: string, setting: Setting<T>): T | undefined => {
    try {
      return readSettings({ [name]: setting }, env)[name] as T | undefined;
    } catch (error) {
      if (error instanceof SettingError) return fail(error.message);
      throw error;
    }
  };
  const doc = { description: '' };
  /** A positive integer, or its default. */
  const positive = (name: string, fallback: number): number => one(name, kinds.positive(doc)) ?? fallback;
  /** A port (`PORT` unless `name` says which setting), or the default. */
  const port = (fallback: number, name = 'PORT'): number => one(name, kinds.port(doc)) ?? fallback;
  /** `true` or `false`, exactly; anything else fails rather than mean either. */
  const flag = (name: string, fallback: boolean): boolean => one(name, kinds.flag(doc)) ?? fallback;
  /** One of `values`, exactly as written there, or the default (none: undefined when unset). */
  function oneOf<const T extends string>(name: string, values: readonly T[], fallback: T): T;
  function oneOf<const T extends string>(name: string, values: readonly T[]): T | undefined;
  function oneOf<const T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined {
    return one(name, kinds.oneOf(values)(doc)) ?? fallback;
  }
  /** A comma-separated list of `values` (spaces around the commas allowed), or the default. */
  const listOf = <const T extends string>(name: string, values: readonly T[], fallback: readonly T[]): T[] =>
    one(name, kinds.listOf(values)(doc)) ?? [...fallback];
  return { fail, positive, port, flag, oneOf, listOf };
}

/** The settings parsers' type, for functions that take them. */
export type Settings = ReturnType<typeof settings>;

/** `LOG_LEVEL` as the logger uses it: `info` when unset, and when not a level (the start then fails on it). */
export function logLevelOf(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.LOG_LEVEL;
  return (LOG_LEVELS as readonly string[]).includes(raw ?? '') ? (raw as LogLevel) : 'info';
}

/**
 * A server entry's settings, read once at start from its schema (`readSettings`): a value it cannot use
 * throws the `SettingError` that `runServer` turns into one line and exit 2. A variable that looks like
 * a misspelt setting of this server is warned about (it would otherwise be silently ignored).
 *
 * @example
 * const settings = startupSettings(log, registrySettings);
 */
export function startupSettings<S extends SettingsSchema>(
  log: Logger,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): SettingsOf<S> {
  const read = readSettings(schema, env);
  for (const [given, meant] of misspeltSettings(schema, env))
    log.warn({ setting: given, meant }, `${given} is not a setting of this server; did you mean ${meant}?`);
  return read;
}

/** A `fail` for code that reports a setting it cannot use: throws the `SettingError` runServer reports. */
export const failSetting = throwSetting;

/** Errors whose message is all an operator needs: one line, exit 2, no stack. */
const REFUSALS = new Set(['ListenError', 'SettingError', 'SchemaError']);

/**
 * Runs a server entry's start-up; whatever stops it is one log line naming the cause (exit 2 for
 * settings, ports and a schema newer than this version knows; 1 otherwise), never a bare stack trace.
 * Rejections nobody awaited are logged, too.
 */
export async function runServer(log: Logger, main: () => Promise<void>): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, `unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
  });
  try {
    await main();
  } catch (error) {
    const known = error instanceof Error && REFUSALS.has(error.name);
    log.fatal(known ? {} : { err: error }, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(known ? 2 : 1);
  }
}
