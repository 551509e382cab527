/**
 * The built release (issue 27 §1), from outside: a copy of the repository as a clone has it (no dist,
 * no node_modules) is installed and built with `pnpm build`; every server then starts from the built
 * JavaScript with plain `node` (no tsx, no esbuild, NODE_OPTIONS unset), from the production install
 * `pnpm deploy --prod` makes, and answers a query through the outway; and the README's datacentre
 * walkthrough runs there in production, without the demo (production-walkthrough.ts).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../packages/portal/src/build.ts';
import { type PartName, systemParts } from '../../scripts/system-parts.ts';
import { runProcess } from '../run-process.ts';
import { askOutwayForSuzanne, freePorts, root } from '../start-system.ts';
import { runProductionWalkthrough } from './production-walkthrough.ts';
import { type EntryProcess, runNode } from './server-entry.ts';

/** The role (`poortwachter-server <role>`) that runs each part of `pnpm start`'s system. */
const ROLE_OF: Record<PartName, string> = {
  registry: 'registry',
  source: 'brp-source',
  gateway: 'inway',
  'brk-source': 'brk-source',
  'brk-gateway': 'inway',
  'dev-idp': 'dev-idp',
  'dev-mail': 'dev-mail',
  outway: 'outway',
  portal: 'portal',
  auditor: 'cli',
  'beheer-rvig': 'cli',
  'beheer-haarlem': 'cli',
  'witness-registry': 'cli',
  'witness-ap': 'cli',
};
/** Development tools a production install must not hold. */
const DEVELOPMENT_TOOLS = ['tsx', 'typescript', 'vitest', 'esbuild'];
/**
 * An environment for plain node: the loader flags the tests run with are not passed on. The demo, as
 * `pnpm start` asks for it (the registry's default here; `POORTWACHTER_DEMO` once production is the default).
 */
const PLAIN = { NODE_OPTIONS: undefined, POORTWACHTER_DEMO: 'true' };

/**
 * Where a native addon (better-sqlite3) must be compiled for the Node running this (not the one pnpm's
 * store has a build for: CI's Node 24 run), node-gyp takes that Node's own headers rather than
 * downloading them; a Node without headers beside it (Debian's) leaves node-gyp its default.
 */
const nodeHeaders = join(process.execPath, '../..');
const pnpm = (args: string[], cwd: string) =>
  runProcess('npx', ['-y', 'pnpm@10', ...args], {
    cwd,
    env: existsSync(join(nodeHeaders, 'include/node/node.h')) ? { npm_config_nodedir: nodeHeaders } : {},
  });
const work = mkdtempSync(join(tmpdir(), 'poortwachter-release-'));
const clone = join(work, 'repository');
const deployed = join(work, 'deployed');
const started: EntryProcess[] = [];
const timings: Record<string, number> = {};

/** Every file below `dir` (none when it does not exist). */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
      })
    : [];

/** Waits until `url` answers 2xx; throws with what the process printed when it stops or does not. */
async function answers(url: string, server: EntryProcess, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (server.child.exitCode !== null) break;
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer:\n${server.output()}`);
}

beforeAll(async () => {
  // The repository's files as a clone has them: tracked and new, not ignored (so no dist, no node_modules).
  const listed = await runProcess('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  for (const file of listed.out.split('\0').filter((f) => f && existsSync(join(root, f)))) {
    cpSync(join(root, file), join(clone, file), { recursive: true });
  }
  let since = Date.now();
  const installed = await pnpm(['install', '--frozen-lockfile', '--prefer-offline'], clone);
  expect(installed.code, installed.output).toBe(0);
  timings.install = Date.now() - since;
  since = Date.now();
  const built = await pnpm(['build'], clone);
  expect(built.code, built.output).toBe(0);
  timings.build = Date.now() - since;
  since = Date.now();
  const deploy = await pnpm(['--filter', '@poortwachter/server', 'deploy', '--prod', deployed], clone);
  expect(deploy.code, deploy.output).toBe(0);
  timings.deploy = Date.now() - since;
}, 1_500_000);

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
  console.log(`built release: ${JSON.stringify(timings)} ms`);
  rmSync(work, { recursive: true, force: true });
});

describe('pnpm build', () => {
  const packages = ['packages', 'examples'].flatMap((dir) =>
    readdirSync(join(root, dir)).map((name) => join(dir, name)),
  );

  it('compiles every workspace package into its dist, with declarations, and the page bundle into the portal', () => {
    for (const dir of [...packages, 'seeds']) {
      const built = filesUnder(join(clone, dir, 'dist')).map((f) => relative(join(clone, dir, 'dist'), f));
      expect(built.filter((f) => f.endsWith('.js')).length, dir).toBeGreaterThan(0);
      expect(built.filter((f) => f.endsWith('.d.ts')).length, dir).toBeGreaterThan(0);
    }
    // What the seeds read at run time is found beside the built modules.
    for (const asset of ['brp/personen.json', 'brk/kadaster.json', 'openapi/brp-personen-2.7.0.openapi.yaml']) {
      expect(existsSync(join(clone, 'seeds/dist', asset)), asset).toBe(true);
    }
    expect(readdirSync(join(clone, 'packages/portal/dist/page')).sort()).toEqual([
      'app.js',
      'index.html',
      'styles.css',
    ]);
  });

  it('leaves no import of tsx or esbuild in any dist (the portal reads its bundle, it does not make it)', () => {
    const importing = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"](tsx|esbuild)(?:\/[^'"]*)?['"]/;
    const offenders = [...packages, 'seeds']
      .flatMap((dir) => filesUnder(join(clone, dir, 'dist')))
      .filter((f) => f.endsWith('.js') && importing.test(readFileSync(f, 'utf8')))
      .map((f) => relative(clone, f));
    expect(offenders).toEqual([]);
    // The check can fail: the development builder does import esbuild.
    expect(importing.test(readFileSync(join(root, 'packages/portal/src/build.ts'), 'utf8'))).toBe(true);
  });

  it('writes the same page bundle the sources give (same sources, same bytes)', async () => {
    const script = readFileSync(join(clone, 'packages/portal/dist/page/app.js'), 'utf8');
    expect(script).toBe((await buildPortal()).script);
  });
});

describe('the production install (pnpm deploy --prod)', () => {
  it('holds only runtime dependencies: no tsx, typescript, vitest or esbuild', () => {
    const modules = join(deployed, 'node_modules');
    const names = [
      ...readdirSync(modules),
      // `.pnpm/<name>@<version>…`, a scope's `/` written `+`
      ...readdirSync(join(modules, '.pnpm')).map((entry) =>
        (/^(@[^+]+\+[^@]+|[^@]+)@/.exec(entry)?.[1] ?? entry).replace('+', '/'),
      ),
    ];
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => DEVELOPMENT_TOOLS.includes(name))).toEqual([]);
    // The check can fail: the repository's own install has them all.
    const workspace = readdirSync(join(clone, 'node_modules/.pnpm')).map((entry) => entry.split('@')[0]);
    expect(DEVELOPMENT_TOOLS.filter((name) => workspace.includes(name))).toEqual(DEVELOPMENT_TOOLS);
    // The launcher and each workspace package it starts, built.
    expect(existsSync(join(deployed, 'dist/main.js'))).toBe(true);
    for (const name of ['registry', 'gateway', 'portal', 'sdk', 'example-brp-source']) {
      expect(existsSync(join(modules, '@poortwachter', name, 'dist')), name).toBe(true);
    }
  });

  it('says which roles there are when given none or another, in one line (exit 2)', async () => {
    for (const args of [[], ['registy']]) {
      const { code, err } = await runProcess(process.execPath, ['dist/main.js', ...args], {
        cwd: deployed,
        env: PLAIN,
      });
      expect(code).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toContain('registry, inway, outway, portal, brp-source, brk-source, dev-idp, dev-mail, cli');
    }
  });

  it('starts every server with plain node, and a signed query through the outway gets the person', async () => {
    const ports = await freePorts(13);
    const data = join(work, 'data');
    const env = {
      DATA_DIR: data,
      REGISTRY_PORT: String(ports[0]),
      SOURCE_PORT: String(ports[1]),
      GATEWAY_PORT: String(ports[2]),
      BRK_SOURCE_PORT: String(ports[3]),
      BRK_GATEWAY_PORT: String(ports[4]),
      IDP_PORT: String(ports[5]),
      OUTWAY_PORT: String(ports[6]),
      PORTAL_PORT: String(ports[7]),
      AUDITOR_PORT: String(ports[8]),
      BEHEER_RVIG_PORT: String(ports[9]),
      BEHEER_HAARLEM_PORT: String(ports[10]),
      WITNESS_REGISTRY_PORT: String(ports[11]),
      WITNESS_AP_PORT: String(ports[12]),
    };
    // The parts and settings of `pnpm start`, each started from the deployed folder by its role.
    const { parts } = systemParts(env, deployed, (message) => {
      throw new Error(message);
    });
    for (const part of Object.values(parts)) {
      const server = runNode(
        ['dist/main.js', ROLE_OF[part.name as PartName], ...(part.args ?? [])],
        { ...PLAIN, ...env, PORT: String(part.port), ...part.env },
        deployed,
      );
      started.push(server);
      await answers(`http://127.0.0.1:${part.port}${part.ready}`, server);
    }
    const apiKey = readFileSync(join(data, 'outway-api-key'), 'utf8').trim();
    const answer = await askOutwayForSuzanne(`http://127.0.0.1:${ports[6]}`, apiKey);
    const text = await answer.text();
    expect(answer.status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ personen: [{ naam: { voornamen: 'Suzanne' } }] });
    // The citizens' page serves the bundle the build made, its integrity in the HTML.
    const page = await (await fetch(`http://127.0.0.1:${ports[7]}/`)).text();
    const built = readFileSync(join(clone, 'packages/portal/dist/page/index.html'), 'utf8');
    expect(page).toBe(built);
  }, 300_000);
});

describe("the README's datacentre walkthrough, in production (no demo), from the production install", () => {
  it('reaches a first query: test CA, certified keys, onboarding, a contract both sign, inway and outway', async () => {
    const { answer, registryOutput } = await runProductionWalkthrough(deployed, join(work, 'walkthrough'), started);
    const text = await answer.text();
    expect(answer.status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ personen: [{ naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' } }] });
    // Its start hints name the CLI as it runs in the deployed folder, not the repository's pnpm script.
    expect(registryOutput).toContain('node dist/main.js cli contract list');
    expect(registryOutput).not.toContain('pnpm poortwachter');
  }, 600_000);
});

describe('the repository after pnpm build', () => {
  it("starts a server from its package's dist with plain node, and the CLI from the sdk's", async () => {
    const [port] = await freePorts(1);
    const registry = runNode(
      ['packages/registry/dist/server/main.js'],
      { ...PLAIN, DATA_DIR: join(work, 'repository-data'), PORT: String(port) },
      clone,
    );
    started.push(registry);
    await answers(`http://127.0.0.1:${port}/healthz`, registry);
    const version = await runProcess(process.execPath, ['packages/sdk/dist/cli/main.js', '--version'], {
      cwd: clone,
      env: PLAIN,
    });
    expect(version.code, version.output).toBe(0);
    expect(version.out).toMatch(/\d+\.\d+\.\d+/);
  }, 120_000);
});
