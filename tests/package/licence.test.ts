import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../start-system.ts';

/** Every package folder of the workspace, from pnpm-workspace.yaml's globs (`dir/*` or `dir`). */
function workspacePackages(): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const list = /^packages:\n((?:[ \t]+-.*\n)+)/m.exec(yaml)?.[1] ?? '';
  const globs = [...list.matchAll(/^\s+-\s+(\S+)$/gm)].map((m) => m[1] ?? '');
  return globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join(root, glob.slice(0, -2), d.name, 'package.json')))
          .map((d) => `${glob.slice(0, -2)}/${d.name}`)
      : [glob],
  );
}

describe('the licence', () => {
  it('is the EUPL-1.2 text at the root and the same text in every package folder, as each package.json names it', () => {
    const licence = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^EUROPEAN UNION PUBLIC LICENCE v\. 1\.2\n/);
    const packages = workspacePackages();
    expect(packages).toEqual(expect.arrayContaining(['packages/sdk', 'packages/protocol', 'examples/demo', 'seeds']));
    for (const dir of packages) {
      const file = join(root, dir, 'LICENSE');
      expect({ dir, same: existsSync(file) && readFileSync(file, 'utf8') === licence }).toEqual({ dir, same: true });
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { license?: string };
      expect({ dir, license: manifest.license }).toEqual({ dir, license: 'EUPL-1.2' });
    }
  });
});
