import type { Logger } from 'pino';

/** The levels of the operational log (`LOG_LEVEL`): pino's, and `silent` for none. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A setting the server cannot use: the message names it and what it accepts (exit 2 at start). */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

const throwSetting = (message: string): never => {
  throw new SettingError(message);
};

/** `a`, `a or b`, `a, b or c`: the accepted values as an operator reads them. */
const alternatives = (values: readonly string[]) =>
  values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

/**
 * The one parser of settings: every number, flag and enumeration a server reads from its environment
 * goes through it, so a value that is not one of the documented ones never quietly means the
 * default (`TLS_REQUIRE_CLIENT_CERT=TRUE` is not "no mutual TLS"): `fail` gets one line naming the
 * setting and the values it accepts. Unset and empty are the default. By default `fail` throws a
 * `SettingError`, which `runServer` turns into that line and exit 2.
 *
 * @example
 * const { flag, oneOf } = settings(process.env);
 * const requireClientCert = flag('TLS_REQUIRE_CLIENT_CERT', false);
 * const seed = oneOf('SEED', ['demo', 'none'], 'demo');
 */
export function settings(env: NodeJS.ProcessEnv, fail: (message: string) => never = throwSetting) {
  const given = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const got = (name: string) => `got ${JSON.stringify(env[name])}`;
  /** A positive integer, or its default. */
  const positive = (name: string, fallback: number): number => {
    const raw = given(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value <= 0)
      fail(`${name} must be a positive whole number, ${got(name)}`);
    return value;
  };
  /** A port (`PORT` unless `name` says which setting), or the default. */
  const port = (fallback: number, name = 'PORT'): number => {
    const raw = given(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value > 65535) fail(`${name} must be a whole number from 0 to 65535, ${got(name)}`);
    return value;
  };
  /** `true` or `false`, exactly; anything else fails rather than mean either. */
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = given(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') fail(`${name} must be true or false, ${got(name)}`);
    return raw === 'true';
  };
  /** One of `values`, exactly as written there, or the default (none: undefined when unset). */
  function oneOf<const T extends string>(name: string, values: readonly T[], fallback: T): T;
  function oneOf<const T extends string>(name: string, values: readonly T[]): T | undefined;
  function oneOf<const T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined {
    const raw = given(name);
    if (raw === undefined) return fallback;
    if (!(values as readonly string[]).includes(raw))
      fail(`${name} must be ${values.length === 1 ? '' : 'one of '}${alternatives(values)}, ${got(name)}`);
    return raw as T;
  }
  /** A comma-separated list of `values` (spaces around the commas allowed), or the default. */
  const listOf = <const T extends string>(name: string, values: readonly T[], fallback: readonly T[]): T[] => {
    const raw = given(name);
    if (raw === undefined) return [...fallback];
    const items = raw.split(',').map((item) => item.trim());
    if (!items.every((item) => (values as readonly string[]).includes(item)))
      fail(`${name} must be a comma-separated list of ${alternatives(values)}, ${got(name)}`);
    return items as T[];
  };
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
 * What a server entry reads from its environment (`settings`), failing the start with one log line
 * naming the variable and exit code 2 on anything it cannot use. `LOG_LEVEL`, which every server
 * reads, is checked here.
 *
 * @example
 * const { fail, positive, port, flag } = startupEnvironment(log);
 * const timeoutMs = positive('SOURCE_TIMEOUT_MS', 5000);
 */
export function startupEnvironment(log: Logger, env: NodeJS.ProcessEnv = process.env): Settings {
  const fail = (message: string): never => {
    log.fatal(message);
    process.exit(2);
  };
  const parsed = settings(env, fail);
  parsed.oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  return parsed;
}

/**
 * Runs a server entry's start-up; whatever stops it is one log line naming the cause (exit 2 for
 * settings and ports, 1 otherwise), never a bare stack trace. Rejections nobody awaited are logged, too.
 */
export async function runServer(log: Logger, main: () => Promise<void>): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, `unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
  });
  try {
    await main();
  } catch (error) {
    const known = error instanceof Error && (error.name === 'ListenError' || error.name === 'SettingError');
    log.fatal(known ? {} : { err: error }, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(known ? 2 : 1);
  }
}
