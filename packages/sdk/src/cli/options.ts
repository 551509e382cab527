import { type ParseArgsConfig, parseArgs } from 'node:util';
import { commandHelp, nearest } from './usage.ts';

type Parsed<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/**
 * Parses `--name value` and `--flag` options of `command`. `--help` (or `-h`) prints the command's
 * help and exits 0; an unknown option is an error that names the nearest known one (exit 2).
 */
export function parseOptions<const T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: T,
  command: string,
): Parsed<T> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(commandHelp(command));
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '--?([^']+)'/.exec(message)?.[1];
    const guess = unknown ? nearest(unknown, Object.keys(options)) : undefined;
    process.stderr.write(
      `${unknown ? `Unknown option '--${unknown}' for poortwachter ${command}.` : message}${guess ? ` Did you mean '--${guess}'?` : ''} See poortwachter ${command} --help.\n`,
    );
    process.exit(2);
  }
}

/** A fixed-width text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
