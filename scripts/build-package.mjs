// One build for every workspace package (its `build` script): `tsc -p tsconfig.build.json` into a fresh
// `dist/`, the declarations' sibling imports made `./x.js`, and the files the code reads at run time
// (named as arguments, relative to the package, e.g. `brp/personen.json`) copied to the same place
// under `dist/`, so `new URL('./x.json', import.meta.url)` finds them from the built module as it does
// from the source. Plain JavaScript: it runs before anything is built.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const assets = process.argv.slice(2);
rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// tsc rewrites the specifiers of the JavaScript it emits (rewriteRelativeImportExtensions), not those of
// the declarations: make `./x.ts` there `./x.js` too.
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.d.ts') ? [path] : [];
  });
for (const file of walk('dist')) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
  if (fixed !== text) writeFileSync(file, fixed);
}

// The build's rootDir is `src` where a package has one, the package itself otherwise (seeds).
const rootDir = statSync('src', { throwIfNoEntry: false })?.isDirectory() ? 'src' : '.';
for (const asset of assets) {
  cpSync(join(rootDir, asset), join('dist', asset), { recursive: true });
}
