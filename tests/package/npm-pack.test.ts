import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../run-process.ts';
import { root } from '../start-system.ts';

/**
 * The published packages are packed by pnpm (sdk-package.test.ts installs what it packs). An npm user
 * who runs `npm pack` in one gets one line saying to use pnpm and why, and no tarball: npm would keep
 * `"@poortwachter/protocol": "workspace:*"` and ignore publishConfig (scripts/prepack.mjs).
 */
describe('npm pack of a published package', () => {
  const packs = mkdtempSync(join(tmpdir(), 'poortwachter-npm-pack-'));
  afterAll(() => rmSync(packs, { recursive: true, force: true }));

  // `inherited`: run from inside a pnpm script (as `pnpm test` runs this file), whose environment says
  // pnpm in npm_config_user_agent and npm_execpath; npm takes over the first and must still be refused.
  it.each([
    ['sdk', 'a shell of its own'],
    ['protocol', 'a shell of its own'],
    ['sdk', 'a pnpm script'],
  ] as const)(
    '%s from %s: refused with one line naming the pnpm command, nothing packed',
    async (name, from) => {
      const pnpmScript = {
        npm_config_user_agent: 'pnpm/10.0.0 npm/? node/v20 linux x64',
        npm_execpath: '/usr/lib/node_modules/pnpm/bin/pnpm.cjs',
      };
      const shell = Object.fromEntries(
        Object.keys(process.env)
          .filter((key) => key.toLowerCase().startsWith('npm_'))
          .map((key) => [key, undefined]),
      );
      const result = await runProcess('npm', ['pack', '--pack-destination', packs], {
        cwd: join(root, 'packages', name),
        env: from === 'a pnpm script' ? pnpmScript : shell,
      });
      expect(result.code, result.output).not.toBe(0);
      const ours = result.err.split('\n').filter((line) => line.startsWith(`@poortwachter/${name}:`));
      expect(ours, result.output).toHaveLength(1);
      expect(ours[0]).toContain(`pack it with pnpm, not npm`);
      expect(ours[0]).toContain(`pnpm --filter @poortwachter/${name} pack`);
      expect(ours[0]).toContain('workspace:*');
      expect(readdirSync(packs)).toEqual([]);
      expect(existsSync(packs)).toBe(true);
    },
    120_000,
  );
});
