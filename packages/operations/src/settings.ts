import type { Logger } from 'pino';

/**
 * What a server entry reads from its environment, failing the start with the variable's name and exit
 * code 2 on anything it cannot use.
 *
 * @example
 * const { fail, positive, port } = startupEnvironment(log);
 * const timeoutMs = positive('SOURCE_TIMEOUT_MS', 5000);
 */
export function startupEnvironment(log: Logger, env: NodeJS.ProcessEnv = process.env) {
  const fail = (message: string): never => {
    log.fatal(message);
    process.exit(2);
  };
  /** A positive integer from the environment, or its default. */
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0)
      fail(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
    return value;
  };
  /** `PORT`, or the default. */
  const port = (fallback: number): number => {
    const value = Number(env.PORT || fallback);
    if (!Number.isInteger(value) || value < 0 || value > 65535)
      fail(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
    return value;
  };
  return { fail, positive, port };
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
    const known = error instanceof Error && error.name === 'ListenError';
    log.fatal(known ? {} : { err: error }, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(known ? 2 : 1);
  }
}
