import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('..', import.meta.url));

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

export interface RunningSystem {
  readonly process: ChildProcess;
  /** Its own data folder (keys, databases). */
  readonly data: string;
  readonly ports: {
    readonly registry: number;
    readonly source: number;
    readonly gateway: number;
    readonly idp: number;
    readonly outway: number;
    readonly portal: number;
    readonly auditor: number;
  };
  /** What `pnpm start` printed until it said it was running. */
  readonly output: string;
  /** Everything it printed so far. */
  printed(): string;
  /** SIGTERM, wait for the exit, remove the data folder. */
  stop(): Promise<number | null>;
}

/** `pnpm start` (scripts/start-system.ts) on free loopback ports and a fresh data folder, until it says it runs. */
export async function startSystem(options: { env?: Record<string, string> } = {}): Promise<RunningSystem> {
  const data = mkdtempSync(join(tmpdir(), 'poortwachter-system-'));
  const ports = {
    registry: await freePort(),
    source: await freePort(),
    gateway: await freePort(),
    idp: await freePort(),
    outway: await freePort(),
    portal: await freePort(),
    auditor: await freePort(),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-system.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: data,
      REGISTRY_PORT: String(ports.registry),
      SOURCE_PORT: String(ports.source),
      GATEWAY_PORT: String(ports.gateway),
      IDP_PORT: String(ports.idp),
      OUTWAY_PORT: String(ports.outway),
      PORTAL_PORT: String(ports.portal),
      AUDITOR_PORT: String(ports.auditor),
      ...options.env,
    },
  });
  let output = '';
  let printed = '';
  const keep = (chunk: Buffer) => {
    printed += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the system did not start:\n${output}`)), 60_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('poortwachter is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', (code) => reject(new Error(`the system exited (${code}):\n${output}`)));
  });
  return {
    process: child,
    data,
    ports,
    output,
    printed: () => printed,
    async stop() {
      const exited =
        child.exitCode === null
          ? new Promise<number | null>((resolve) => child.on('exit', resolve))
          : Promise.resolve(child.exitCode);
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(data, { recursive: true, force: true });
      return code;
    },
  };
}
