import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The workspace root: the nearest folder upwards with a pnpm-workspace.yaml (or `start` itself). */
export function workspaceRoot(start = process.cwd()): string {
  let dir = resolve(start);
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
  return dir;
}

/**
 * Where runtime state lives: `DATA_DIR`, or `./data/` at the workspace root (so that
 * `pnpm --filter … start`, which runs inside the package folder, uses the same place as `pnpm start`).
 */
export const dataDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.DATA_DIR ? resolve(env.DATA_DIR) : join(workspaceRoot(), 'data');
