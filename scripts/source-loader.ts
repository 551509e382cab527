import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Node's flags that run the workspace's TypeScript sources, for every process development starts
 * (`pnpm start`, the tests, the benchmarks): tsx as the loader (found from here, whatever the working
 * directory), and the `source` export condition, so that `@poortwachter/*` packages resolve to their
 * `src/` whether or not they are built (plain `node` takes their `dist/`).
 *
 * @example
 * spawn(process.execPath, [...SOURCE_LOADER, 'packages/registry/src/server/main.ts']);
 */
export const SOURCE_LOADER: readonly string[] = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  '--conditions=source',
];
