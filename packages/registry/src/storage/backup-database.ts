import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';

/** What a backup holds, read back from the copy after its integrity check. */
export interface BackupSummary {
  readonly file: string;
  readonly bytes: number;
  /** Every table of the copy with its number of rows. */
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
  /** On a gateway's or an outway's database: each Merkle log's leaves and newest signed head. */
  readonly logs: readonly {
    readonly logId: string;
    readonly leaves: number;
    readonly signedSize: number | null;
    readonly signedRoot: string | null;
  }[];
}

/** The path of a `sqlite:` URL, or undefined for any other URL. */
const sqlitePath = (url: string) =>
  url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : undefined;

/**
 * An online backup of a SQLite database with SQLite's backup API (better-sqlite3's `backup`): a
 * consistent copy of one moment while the server keeps reading and writing (the WAL included, which a
 * file copy would miss). The copy goes to a temporary file of mode 0600 beside `to`, is checked (`PRAGMA
 * integrity_check`), made a single file (journal mode DELETE; the server sets WAL again when it opens
 * it), flushed to disk, and only then renamed over `to`. On any failure `to` is untouched.
 *
 * @example
 * const summary = await backupSqlite('sqlite:./data/gateway.db', './backup/gateway-2026-12-06.db');
 */
export async function backupSqlite(url: string, to: string): Promise<BackupSummary> {
  const path = sqlitePath(url);
  if (path === undefined || path === ':memory:') throw new Error(`not a SQLite database file: ${url.split(':')[0]}:`);
  const target = resolve(to);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const source = new SQLite(path, { fileMustExist: true });
  try {
    // Made first with mode 0600: the copy holds what the database holds, readable by its owner only.
    closeSync(openSync(temporary, 'wx', 0o600));
    source.pragma('busy_timeout = 5000');
    await source.backup(temporary);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    source.close();
  }
  try {
    const summary = checkCopy(temporary);
    const fd = openSync(temporary, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
    const folder = openSync(dirname(target), 'r');
    try {
      fsyncSync(folder);
    } catch {
      // some file systems cannot flush a folder; the rename is then as durable as they make it
    } finally {
      closeSync(folder);
    }
    return { ...summary, file: target, bytes: statSync(target).size };
  } catch (error) {
    for (const file of [temporary, `${temporary}-wal`, `${temporary}-shm`]) rmSync(file, { force: true });
    throw error;
  }
}

/** Checks the copy's integrity, makes it one file of mode 0600, and reads what it holds. */
function checkCopy(file: string): Omit<BackupSummary, 'file' | 'bytes'> {
  const copy = new SQLite(file, { fileMustExist: true });
  try {
    const problems = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.join() !== 'ok')
      throw new Error(`the copy fails its integrity check: ${problems.slice(0, 5).join('; ')}`);
    copy.pragma('journal_mode = DELETE');
    const names = (
      copy
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
        .all() as { name: string }[]
    ).map((r) => r.name);
    const tables = names.map((name) => ({
      name,
      rows: (copy.prepare(`select count(*) as n from "${name.replaceAll('"', '""')}"`).get() as { n: number }).n,
    }));
    const logs = names.includes('merkle_leaves')
      ? (
          copy
            .prepare(
              `select l.log_id as logId, count(*) as leaves,
                (select max(h.tree_size) from merkle_heads h where h.log_id = l.log_id) as signedSize,
                (select h.root_hash from merkle_heads h where h.log_id = l.log_id order by h.tree_size desc limit 1) as signedRoot
               from merkle_leaves l group by l.log_id order by l.log_id`,
            )
            .all() as BackupSummary['logs'][number][]
        ).map((l) => ({ ...l, signedSize: l.signedSize === null ? null : Number(l.signedSize) }))
      : [];
    return { tables, logs };
  } finally {
    copy.close();
  }
}

/** The lines an operator reads after a backup: where, how big, what it holds. */
export function describeBackup(url: string, summary: BackupSummary): string {
  const lines = [
    `backup of ${url} written to ${summary.file} (${summary.bytes} bytes; integrity check ok)`,
    `tables: ${summary.tables.map((t) => `${t.name} ${t.rows}`).join(', ')}`,
    ...summary.logs.map(
      (l) =>
        `log ${l.logId}: ${l.leaves} leaves; newest signed head ${
          l.signedSize === null ? 'none' : `size ${l.signedSize} (root ${l.signedRoot})`
        }`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The backup command's arguments, as its errors and `backup --help` say them. */
export const BACKUP_USAGE = 'usage: backup --to FILE [--database sqlite:PATH]';

/**
 * `<entry> backup --to FILE [--database URL]`: the `backup` command of a server entry, run beside the
 * running server. `databaseUrl` is the entry's DATABASE_URL (or its default). Returns the exit code:
 * 0 written, 1 the backup failed (nothing written at FILE), 2 a wrong argument (one line saying which).
 * On PostgreSQL it says to use `pg_dump -Fc` (its own online backup).
 *
 * @example
 * if (process.argv[2] === 'backup') process.exit(await backupCommand(process.argv.slice(3), databaseUrl));
 */
export async function backupCommand(args: readonly string[], databaseUrl: string): Promise<number> {
  let values: { to?: string | undefined; database?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { to: { type: 'string' }, database: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`backup: ${(error as Error).message}; ${BACKUP_USAGE}\n`);
    return 2;
  }
  const url = values.database ?? databaseUrl;
  if (!values.to) {
    process.stderr.write('backup: --to FILE is missing: the file the backup is written to\n');
    return 2;
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    process.stderr.write(
      'backup: the database is PostgreSQL: back it up with pg_dump -Fc --dbname "$DATABASE_URL" --file FILE (see the README, Backup and restore)\n',
    );
    return 2;
  }
  const path = sqlitePath(url);
  if (path === undefined || path === ':memory:') {
    process.stderr.write(
      `backup: --database (or DATABASE_URL) must be sqlite:PATH or postgres://…, got ${JSON.stringify(url.split(':')[0])}\n`,
    );
    return 2;
  }
  try {
    statSync(path);
  } catch {
    process.stderr.write(`backup: there is no database at ${path} (DATABASE_URL or --database)\n`);
    return 2;
  }
  try {
    process.stdout.write(describeBackup(url, await backupSqlite(url, values.to)));
    return 0;
  } catch (error) {
    process.stderr.write(`backup: failed, nothing written to ${values.to}: ${(error as Error).message}\n`);
    return 1;
  }
}
