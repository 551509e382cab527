import { isAbsolute, relative } from 'node:path';

/**
 * The variable the launcher (`poortwachter-server <role>`, packages/server) sets to its own file before
 * it starts a role's entry, so that the entry can tell an operator how to run the CLI in that folder.
 */
export const LAUNCHER_VARIABLE = 'POORTWACHTER_LAUNCHER';

/**
 * How to run the `poortwachter` CLI where this server runs, for the hints it prints at start: started by
 * the launcher of a built release (the deployed folder, the image), `node <its main.js> cli`, as a path
 * relative to the working directory when it lies below it (`node dist/main.js cli`); in a checkout of the
 * repository (`pnpm start`, or a built entry there), `pnpm poortwachter`.
 *
 * @example
 * `verify it: ${cliCommandHere()} directory --registry ${base}`
 */
export function cliCommandHere(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const launcher = env[LAUNCHER_VARIABLE];
  if (!launcher) return 'pnpm poortwachter';
  const below = relative(cwd, launcher);
  return `node ${below.startsWith('..') || isAbsolute(below) ? launcher : below} cli`;
}
