import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the CLI finds the keys and pinned registry key of a local system: `DATA_DIR`, or `./data/`
 * of the nearest folder upwards that holds a `pnpm-workspace.yaml` (a checkout of poortwachter), or
 * `./data/` of the current folder.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATA_DIR) return resolve(env.DATA_DIR);
  for (let dir = resolve(process.cwd()); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, 'data');
    if (dirname(dir) === dir) return resolve('data');
  }
}
