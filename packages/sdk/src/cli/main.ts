/**
 * The poortwachter command-line tool. Run it from the workspace root as `pnpm poortwachter <command>`.
 */
import { directoryCommand } from './directory-command.ts';

const USAGE = `poortwachter <command> [options]

commands:
  directory   fetch the registry's signed directory, verify it against the pinned key, summarise it
              --registry URL       registry base URL (default http://localhost:8300 or $REGISTRY_URL)
              --registry-key FILE  pinned registry public key (default ./data/keys/registry.public.jwk.json)
              --json               print the verified payload as JSON
`;

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = { directory: directoryCommand };

const run = command ? commands[command] : undefined;
if (!run) {
  process.stdout.write(USAGE);
  process.exit(command && command !== 'help' && command !== '--help' ? 2 : 0);
}
process.exit(await run(args));
