/**
 * `pnpm build` of the portal: bundles the citizens' page once (build.ts, esbuild) and writes script,
 * HTML and stylesheet into the folder given as argument (`dist/page`), where the built server reads
 * them. Prints the script's integrity, the hash anyone can compare with a rebuild of the same sources.
 */
import { resolve } from 'node:path';
import { buildPortal } from './build.ts';
import { writePortalBundle } from './page-bundle.ts';

const dir = resolve(process.argv[2] ?? 'dist/page');
const bundle = await buildPortal();
writePortalBundle(bundle, dir);
console.log(`citizens' page bundle in ${dir} (script ${bundle.integrity})`);
