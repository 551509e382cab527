import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll } from 'vitest';
import { SOURCE_LOADER } from '../../scripts/source-loader.ts';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { runEntry as runCli } from '../run-process.ts';
import { freePort, type RunningSystem, root } from '../start-system.ts';

/**
 * The settings of another instance of the system's BRP gateway (the server entry): its own port and
 * SQLite file (`database`), the system's registry, source and keys.
 */
export function gatewayInstanceEnv(
  system: RunningSystem,
  options: { port: number; database: string; instanceId: string },
): Record<string, string> {
  return {
    PORT: String(options.port),
    DATA_DIR: system.data,
    DATABASE_URL: `sqlite:${options.database}`,
    REGISTRY_URL: `http://localhost:${system.ports.registry}`,
    SOURCE_URL: `http://localhost:${system.ports.source}`,
    INSTANCE_ID: options.instanceId,
    // Its published heads beside its database (or in the system's data when its database is not a file): a
    // test's next instance of the same id on a fresh database is another log, not a rollback of this one, and
    // nothing is left in the working directory for the next run (Node 24's after Node 20's) to find.
    PUBLISHED_HEADS_DIR: options.database
      ? join(dirname(options.database), 'published-heads')
      : join(system.data, `published-heads-${options.instanceId}`),
  };
}

/**
 * Utrecht's Wmo query for Suzanne Moulin, signed for the BRP service as the directory publishes it
 * (`servicePort`) and sent to `url`: the system's gateway, or another instance of it started by a test.
 */
export function querySuzanne(
  url: string,
  servicePort: number,
  key: RawJwk,
  fields: string[] = ['naam.voornamen'],
): ReturnType<typeof sendRaw> {
  return sendRaw(url, {
    method: 'POST',
    targetUri: `http://localhost:${servicePort}/personen`,
    key,
    processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields }),
  });
}

/** A server entry started as its own process, as an operator would run it. */
export interface EntryProcess {
  readonly child: ChildProcess;
  /** All it printed so far (stdout and stderr). */
  output(): string;
  readonly exited: Promise<number | null>;
  /** Waits until it printed `text`, or stopped, or `timeoutMs` passed; true when it printed it. */
  printed(text: string | RegExp, timeoutMs?: number): Promise<boolean>;
  /** SIGTERM; resolves with the exit code and how long the stop took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

/**
 * Runs `entry` (a TypeScript server entry of the workspace) with `env` on top of this process's, in the
 * demo (`POORTWACHTER_DEMO=true`: the tests run on the demo seed's keys) unless `env` says otherwise.
 */
export function runEntry(entry: string, env: Record<string, string>, args: readonly string[] = []): EntryProcess {
  return runNode([...SOURCE_LOADER, entry, ...args], { POORTWACHTER_DEMO: 'true', ...env });
}

/**
 * Runs `node <args>` from `cwd` (the repository) with `env` on top of this process's (a variable set to
 * `undefined` is left out): plain node unless `args` name a loader, as a built release is started.
 */
export function runNode(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string = root,
): EntryProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const matches = (text: string | RegExp) => (typeof text === 'string' ? output.includes(text) : text.test(output));
  return {
    child,
    output: () => output,
    exited,
    async printed(text, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!matches(text) && child.exitCode === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return matches(text);
    },
    async stop() {
      const started = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

/** Runs `entry` and waits for its "listening" line; throws with what it printed when it does not come. */
export async function startEntry(entry: string, env: Record<string, string>): Promise<EntryProcess> {
  const running = runEntry(entry, env);
  // Up to a minute: a fresh clone's first start of an entry compiles its TypeScript with a cold cache.
  if (!(await running.printed(/listening on|on https?:\/\//, 60_000))) {
    running.child.kill('SIGKILL');
    throw new Error(`${entry} did not start:\n${running.output()}`);
  }
  return running;
}

/**
 * A registry process of its own on `data` (seeded with the demo, its snapshot re-signed every second), on a
 * free port of 127.0.0.1: the process, its URL and the admin token it wrote.
 */
export async function startRegistryEntry(
  data: string,
): Promise<{ registry: EntryProcess; url: string; token: string }> {
  const port = await freePort();
  const registry = await startEntry('packages/registry/src/server/main.ts', {
    DATA_DIR: data,
    PORT: String(port),
    DRAIN_TIMEOUT_SECONDS: '1',
    DIRECTORY_RESIGN_SECONDS: '1',
  });
  const token = readFileSync(join(data, 'registry-admin-token'), 'utf8').trim();
  return { registry, url: `http://127.0.0.1:${port}`, token };
}

/** A registry process startRegistryEntry started: the process, its URL and the admin token it wrote. */
export type RegistryEntry = Awaited<ReturnType<typeof startRegistryEntry>>;

/**
 * A registry process of its own for the tests of one `describe`: a fresh data folder
 * (`poortwachter-<name>-…`), the registry started on it before the tests (`started` gets its URL and
 * token) and stopped after them, its folder removed.
 *
 * @example
 * let url: string;
 * const { data, keys } = useRegistryEntry('onboard', (entry) => ({ url } = entry));
 */
export function useRegistryEntry(
  name: string,
  started: (entry: RegistryEntry) => void,
): { readonly data: string; readonly keys: string } {
  const data = mkdtempSync(join(tmpdir(), `poortwachter-${name}-`));
  let entry: RegistryEntry | undefined;
  beforeAll(async () => {
    entry = await startRegistryEntry(data);
    started(entry);
  }, 90_000);
  afterAll(async () => {
    await entry?.registry.stop();
    rmSync(data, { recursive: true, force: true });
  });
  return { data, keys: join(data, 'keys') };
}

/**
 * `poortwachter registry verify` against a registry `startRegistryEntry` started on `data`: its pinned key,
 * the demo CA as trust anchor, and a heads file there (kept between runs, as an auditor keeps it).
 */
export function verifyRegistryEntry(url: string, data: string) {
  const keys = join(data, 'keys');
  return runCli('packages/sdk/src/cli/main.ts', [
    'registry',
    'verify',
    '--registry',
    url,
    '--registry-key',
    join(keys, 'registry.public.jwk.json'),
    '--trust-anchors',
    join(keys, 'demo-ca.pem'),
    '--heads',
    join(data, 'registry-heads.json'),
  ]);
}
