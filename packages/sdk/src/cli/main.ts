#!/usr/bin/env node
/**
 * The poortwachter command-line tool: `npx poortwachter <command>` where the sdk is installed, or
 * `pnpm poortwachter <command>` in a checkout of this repository.
 */
import { auditCommand } from './audit-command.ts';
import { directoryCommand } from './directory-command.ts';
import { inzageCommand } from './inzage-command.ts';
import { keysCommand } from './keys-command.ts';
import { logCommand } from './log-command.ts';
import { queryCommand } from './query-command.ts';
import { nearest, USAGE } from './usage.ts';

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = {
  directory: directoryCommand,
  keys: keysCommand,
  query: queryCommand,
  inzage: inzageCommand,
  audit: auditCommand,
  log: logCommand,
};

const run = command ? commands[command] : undefined;
if (!run) {
  if (command && !['help', '--help', '-h'].includes(command)) {
    const guess = nearest(command, Object.keys(commands));
    process.stderr.write(
      `Unknown command '${command}'.${guess ? ` Did you mean '${guess}'?` : ''} See poortwachter --help.\n`,
    );
    process.exit(2);
  }
  process.stdout.write(USAGE);
  process.exit(0);
}
process.exit(await run(args));
