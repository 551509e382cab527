import { BACKUP_USAGE } from '../storage/backup-database.ts';

/** Whether a command's arguments ask for its usage: `--help`, `-h` or `help`. */
export const asksForHelp = (args: readonly string[]): boolean =>
  args.some((arg) => arg === '--help' || arg === '-h' || arg === 'help');

const USAGE: Readonly<Record<string, string>> = {
  migrate:
    'usage: migrate   run the database migrations and exit (0: migrated, with the version; 2: a schema newer than this version knows)',
  backup: `${BACKUP_USAGE}   an online backup of the SQLite database beside the running server (PostgreSQL: pg_dump -Fc); README: Backup and restore`,
};

/**
 * The usage of a server entry's maintenance command (`migrate`, `backup`) when its arguments ask for
 * it, else undefined: `<entry> backup --help` prints it and exits 0 instead of refusing `--help` as an
 * argument (and `migrate --help` does not migrate). Settings as the server's, one line each in the README.
 *
 * @example
 * const help = maintenanceHelp(process.argv.slice(2));
 * if (help) process.stdout.write(`${help}\n`);
 */
export function maintenanceHelp(args: readonly string[]): string | undefined {
  const [command, ...rest] = args;
  const usage = command === undefined ? undefined : USAGE[command];
  return usage && asksForHelp(rest) ? `${usage}\nSettings as the server's (README: Configuration).` : undefined;
}
