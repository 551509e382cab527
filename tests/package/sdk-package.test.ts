import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../run-process.ts';
import { type RunningSystem, root, startSystem } from '../start-system.ts';

/** Runs a command to completion; its exit code and everything it printed. */
const sh = (command: string, args: string[], options: { cwd: string; env?: Record<string, string> }) =>
  runProcess(command, args, options);
const ok = async (...call: Parameters<typeof sh>) => {
  const result = await sh(...call);
  if (result.code !== 0)
    throw new Error(`${call[0]} ${call[1].join(' ')} failed (${result.code}):\n${result.err}${result.out}`);
  return result;
};

/** What may be in an sdk user's production tree: the protocol and the small protocol libraries. */
// @noble/hashes: SHA-256 for the browser build (no dependencies of its own, no server code).
const ALLOWED = new Set(['@poortwachter/sdk', '@poortwachter/protocol', 'jose', 'structured-headers', '@noble/hashes']);

/**
 * The sdk as a gemeente installs it: both packages packed by pnpm, installed with plain npm into a
 * new project outside the workspace, and used on plain Node 20 and Node 24 (no tsx, no TypeScript)
 * against a running system.
 */
describe('the sdk, packed and installed outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'poortwachter-sdk-user-'));
  const packs = join(work, 'packs');
  const project = join(work, 'project');
  let system: RunningSystem;
  let env: Record<string, string>;
  const tarballs: Record<string, string> = {};

  beforeAll(async () => {
    // One after the other: the sdk's build rebuilds the protocol's dist, which the protocol's pack reads.
    for (const name of ['@poortwachter/protocol', '@poortwachter/sdk']) {
      await ok('npx', ['-y', 'pnpm@10', '--filter', name, 'pack', '--pack-destination', packs], { cwd: root });
    }
    for (const file of readdirSync(packs)) tarballs[file.replace(/-\d+\.\d+\.\d+\.tgz$/, '')] = join(packs, file);
    await ok('mkdir', ['-p', project], { cwd: work });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'gemeente-app', private: true, type: 'module' }),
    );
    await ok(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        tarballs['poortwachter-protocol'] ?? '',
        tarballs['poortwachter-sdk'] ?? '',
      ],
      { cwd: project },
    );
    copyFileSync(join(root, 'tests/package/check-installed-sdk.mjs'), join(project, 'check.mjs'));
    // After the builds, not beside them: on a busy machine the two together outlast the system's start limit.
    system = await startSystem();
    env = {
      REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}`,
      IDP_URL: `http://127.0.0.1:${system.ports.idp}`,
      DATA_DIR: system.data,
      AFNEMER_OIN: DEMO_OIN.utrecht,
      PROCESSING_ACTIVITY: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    };
  }, 600_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs built JavaScript, declarations, a README and the LICENSE: no sources, tests or test vectors', async () => {
    for (const name of ['poortwachter-protocol', 'poortwachter-sdk']) {
      const { out } = await ok('tar', ['tzf', tarballs[name] ?? ''], { cwd: work });
      const files = out.trim().split('\n');
      expect(files).toContain('package/README.md');
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/dist/index.js');
      expect(files).toContain('package/dist/index.d.ts');
      expect(
        files.filter((f) => !/^package\/(dist\/.*\.(js|d\.ts)|README\.md|package\.json|LICENSE)$/.test(f)),
      ).toEqual([]);
      expect(files.filter((f) => /test|vector/.test(f))).toEqual([]);
    }
    const manifest = await ok('tar', ['xzf', tarballs['poortwachter-sdk'] ?? '', '-O', 'package/package.json'], {
      cwd: work,
    });
    const sdk = JSON.parse(manifest.out) as { dependencies: Record<string, string>; bin: Record<string, string> };
    expect(sdk.dependencies['@poortwachter/protocol']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(sdk.bin.poortwachter).toBe('./dist/cli/main.js');
  });

  it('names its licence, repository, homepage and issues, and carries the EUPL-1.2 text', async () => {
    const licence = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^EUROPEAN UNION PUBLIC LICENCE v\. 1\.2\n/);
    for (const name of ['poortwachter-protocol', 'poortwachter-sdk']) {
      const read = async (file: string) =>
        (await ok('tar', ['xzf', tarballs[name] ?? '', '-O', `package/${file}`], { cwd: work })).out;
      expect(await read('LICENSE')).toBe(licence);
      const manifest = JSON.parse(await read('package.json')) as Record<string, unknown>;
      expect(manifest).toMatchObject({
        license: 'EUPL-1.2',
        repository: { type: 'git', url: 'git+https://github.com/poortwachter/poortwachter.git' },
        homepage: expect.stringMatching(/^https:\/\/github\.com\/poortwachter\/poortwachter\//),
        bugs: { url: 'https://github.com/poortwachter/poortwachter/issues' },
      });
      // On npm a README's relative link leads nowhere: every link is a full URL (or a heading on the page).
      const links = [...(await read('README.md')).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
      expect(links.length).toBeGreaterThan(0);
      expect(links.filter((link) => !/^(https:\/\/|#)/.test(link))).toEqual([]);
    }
  });

  it('type-checks a file using both entries as installed, under node10, node16 and bundler resolution', async () => {
    writeFileSync(
      join(project, 'uses-sdk.ts'),
      [
        "import { type CallControl, createOrganisationClient, DEFAULT_TIMEOUT_MS, type QueryResult } from '@poortwachter/sdk';",
        "import { type AccessLogResult, createCitizenClient } from '@poortwachter/sdk/citizen';",
        'const control: CallControl = { signal: new AbortController().signal, timeoutMs: DEFAULT_TIMEOUT_MS };',
        'export function timeline(token: string): Promise<AccessLogResult> {',
        "  const citizen = createCitizenClient({ token, registryUrl: 'https://registry.example', registryKey: { kty: 'OKP' } });",
        '  return citizen.accessLog({ verify: true, ...control });',
        '}',
        'export function query(privateKey: { kty: string }, registryKey: { kty: string }): Promise<QueryResult> {',
        "  const client = createOrganisationClient({ oin: '1', privateKey, registryUrl: 'https://registry.example', registryKey });",
        "  return client.personen.raadpleeg({ burgerservicenummer: '999993653', fields: ['naam'], processingActivity: 'x', ...control });",
        '}',
        "// The types are the sdk's own, not `any`: a misspelt option is an error.",
        "// @ts-expect-error tokn is no option of the citizen's client",
        "createCitizenClient({ tokn: 'x' });",
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'uses-citizen.ts'),
      [
        "import { type AccessLogResult, createCitizenClient } from '@poortwachter/sdk/citizen';",
        'export function timeline(token: string): Promise<AccessLogResult> {',
        "  return createCitizenClient({ token, registryUrl: 'https://registry.example', registryKey: { kty: 'OKP' } }).accessLog();",
        '}',
        '',
      ].join('\n'),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const base = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2023,dom'];
    // The main entry is for Node (it reads key files and X.509 trust anchors with node:crypto): a project
    // using it has Node's types. The citizen entry is for browsers too: it type-checks without them.
    const nodeTypes = ['--types', 'node', '--typeRoots', join(root, 'node_modules/@types')];
    for (const [module, resolution] of [
      ['commonjs', 'node10'],
      ['node16', 'node16'],
      ['esnext', 'bundler'],
    ] as const) {
      for (const [file, more] of [
        ['uses-sdk.ts', nodeTypes],
        ['uses-citizen.ts', []],
      ] as const) {
        const result = await sh(
          process.execPath,
          [tsc, ...base, ...more, '--module', module, '--moduleResolution', resolution, file],
          { cwd: project },
        );
        expect({ resolution, file, code: result.code, out: result.out }).toEqual({
          resolution,
          file,
          code: 0,
          out: '',
        });
      }
    }
  }, 120_000);

  it('holds no server or database package in its production dependency tree', async () => {
    const { out } = await ok('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: project });
    const names: string[] = [];
    const walk = (deps: Record<string, { dependencies?: Record<string, unknown> }> = {}) => {
      for (const [name, node] of Object.entries(deps)) {
        names.push(name);
        walk(node.dependencies as never);
      }
    };
    walk((JSON.parse(out) as { dependencies: never }).dependencies);
    expect(names).toContain('@poortwachter/sdk');
    expect([...new Set(names)].filter((n) => !ALLOWED.has(n))).toEqual([]);
  });

  it('bundles @poortwachter/sdk/citizen for a browser as installed, with no Node module in it', async () => {
    // A gemeente building its own citizens' page: esbuild for the browser, from the installed packages.
    writeFileSync(
      join(project, 'page.mjs'),
      "import { createCitizenClient } from '@poortwachter/sdk/citizen';\nexport { createCitizenClient };\n",
    );
    const bundle = (platform: 'browser' | 'node') =>
      build({
        entryPoints: [join(project, 'page.mjs')],
        absWorkingDir: project,
        bundle: true,
        platform,
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
    const result = await bundle('browser');
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/@poortwachter/protocol/dist/platform/browser.js');
    expect(inputs.filter((i) => i.endsWith('platform/node.js') || i.startsWith('node:'))).toEqual([]);
    expect(result.outputFiles[0]?.text).not.toMatch(/["']node:/);
    // The `browser` condition of the protocol's #platform chose it: built for Node, the same page takes node:crypto.
    const hashes = result.metafile.inputs['node_modules/@poortwachter/protocol/dist/merkle/hashes.js'];
    expect(hashes?.imports.map((i) => [i.original, i.path])).toContainEqual([
      '#platform',
      'node_modules/@poortwachter/protocol/dist/platform/browser.js',
    ]);
    const forNode = Object.keys((await bundle('node')).metafile.inputs);
    expect(forNode).toContain('node_modules/@poortwachter/protocol/dist/platform/node.js');
    expect(forNode.filter((i) => i.endsWith('platform/browser.js'))).toEqual([]);
  });

  // The machine's Node 20 (`node` on the PATH is Node 24 when CI runs the suite a second time on it) and Node 24.
  const node20 = process.version.startsWith('v20.') ? process.execPath : '/usr/bin/node';
  for (const [runtime, command] of [
    ['Node 20', [node20]],
    ['Node 24', ['npx', '-y', '-p', 'node@24', 'node']],
  ] as const) {
    it(`runs a verified query and a proven citizen read on plain ${runtime}`, async () => {
      const [bin, ...pre] = command;
      const { out } = await ok(bin, [...pre, 'check.mjs'], { cwd: project, env });
      const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      expect(result.node).toMatch(runtime === 'Node 20' ? /^v20\./ : /^v24\./);
      expect(result).toMatchObject({ verified: true, refused: 'unauthorizedField', complete: true, accesses: 1 });
      expect(result).toMatchObject({ timeout: 'timeout', aborted: 'de gebruiker ging weg' });
      expect(result.timeoutAfterMs).toBeGreaterThanOrEqual(290);
      expect(result.timeoutAfterMs).toBeLessThan(5000);
      expect(result.voornamen).toEqual(expect.any(String));
      expect(result.proven).toBe(result.records);
    }, 180_000);
  }

  it('installs a poortwachter command that runs on plain Node', async () => {
    const { out } = await ok(
      join(project, 'node_modules/.bin/poortwachter'),
      [
        'directory',
        '--registry',
        env.REGISTRY_URL ?? '',
        '--registry-key',
        join(system.data, 'keys/registry.public.jwk.json'),
        '--trust-anchors',
        join(system.data, 'keys/demo-ca.pem'),
      ],
      { cwd: project },
    );
    expect(out).toMatch(/verified/i);
  }, 60_000);

  it('tells the installed version with poortwachter --version', async () => {
    const { out } = await ok(join(project, 'node_modules/.bin/poortwachter'), ['--version'], { cwd: project });
    const installed = join(project, 'node_modules/@poortwachter/sdk/package.json');
    expect(out).toBe(`${(JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version}\n`);
  }, 60_000);
});
