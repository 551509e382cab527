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

  it.each(['sdk', 'protocol'])(
    '%s: refused with one line naming the pnpm command, nothing packed',
    async (name) => {
      const result = await runProcess('npm', ['pack', '--pack-destination', packs], {
        cwd: join(root, 'packages', name),
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
