// The `prepack` of the packages that are published (@poortwachter/protocol, @poortwachter/sdk): packed by
// pnpm only, then built (`pnpm <arguments>`). npm would pack them wrongly: it leaves a dependency on
// another package of the workspace as `workspace:*`, which no install outside it can resolve, and it does
// not apply `publishConfig` (the built `exports`, `main`, `types`, `typesVersions` and `bin`). So under npm
// this stops with one line saying what to run instead. Plain JavaScript: it runs before anything is built.
// Which tool runs this is told by `npm_execpath`, which each sets to its own entry: npm_config_user_agent
// is no proof, since npm takes it over from the environment (an `npm pack` run inside a pnpm script says
// "pnpm/…" there).
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';

const name = process.env.npm_package_name ?? 'this package';
const runner = basename(process.env.npm_execpath ?? '');
if (!runner.startsWith('pnpm')) {
  console.error(
    `${name}: pack it with pnpm, not npm (npm keeps "workspace:*" dependencies and ignores publishConfig): pnpm --filter ${name} pack --pack-destination DIR, then npm install the tarballs (the README says how)`,
  );
  process.exit(1);
}
const result = spawnSync('pnpm', process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
