import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `./data/` of the workspace (or DATA_DIR): where `pnpm start` keeps keys and databases. */
export function defaultDataDir(): string {
  if (process.env.DATA_DIR) return resolve(process.env.DATA_DIR);
  let dir = resolve(process.cwd());
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), 'data');
    dir = parent;
  }
  return join(dir, 'data');
}
