import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** Ports this process handed out already: a port closed after the check can be handed out again. */
const handedOut = new Set<number>();

/**
 * `count` distinct free ports on 127.0.0.1: all are held open together while they are chosen (so the
 * kernel cannot give one twice), and none is one this process handed out before.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = await new Promise<Server>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve(s));
      });
      servers.push(server);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      if (port > 0 && !handedOut.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
  for (const port of ports) handedOut.add(port);
  return ports;
}

export const freePort = async () => (await freePorts(1))[0] as number;

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
    readonly brkSource: number;
    readonly brkGateway: number;
    readonly beheerRvig: number;
    readonly beheerHaarlem: number;
    readonly devMail: number;
    readonly devMailSmtp: number;
  };
  /** What `pnpm start` printed until it said it was running. */
  readonly output: string;
  /** Everything it printed so far. */
  printed(): string;
  /** SIGTERM, wait for the exit, remove the data folder (unless `keepData`: then the caller removes it). */
  stop(options?: { keepData?: boolean }): Promise<number | null>;
}

/**
 * `pnpm start` (scripts/start-system.ts) on free loopback ports and a fresh data folder, until it says it
 * runs. `detached`: in a process group of its own, as a terminal starts it (signal the group with
 * `process.kill(-system.process.pid, 'SIGINT')`, as Ctrl-C does). `dataName`: the data folder's name
 * inside the fresh temporary folder. `command`: how it is started (default: the entry itself, with tsx
 * as its loader; `['npx', '-y', 'pnpm@10', 'start']` is the README's way, with its wrappers).
 */
export async function startSystem(
  options: { env?: Record<string, string>; detached?: boolean; dataName?: string; command?: string[] } = {},
): Promise<RunningSystem> {
  const temporary = mkdtempSync(join(tmpdir(), 'poortwachter-system-'));
  const data = options.dataName === undefined ? temporary : join(temporary, options.dataName);
  const [
    registry,
    source,
    gateway,
    idp,
    outway,
    portal,
    auditor,
    brkSource,
    brkGateway,
    beheerRvig,
    beheerHaarlem,
    devMail,
    devMailSmtp,
  ] = (await freePorts(13)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ports = {
    registry,
    source,
    gateway,
    idp,
    outway,
    portal,
    auditor,
    brkSource,
    brkGateway,
    beheerRvig,
    beheerHaarlem,
    devMail,
    devMailSmtp,
  };
  const [command, ...args] = options.command ?? [process.execPath, ...SOURCE_LOADER, 'scripts/start-system.ts'];
  const child = spawn(command as string, args, {
    cwd: root,
    detached: options.detached === true,
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
      BRK_SOURCE_PORT: String(ports.brkSource),
      BRK_GATEWAY_PORT: String(ports.brkGateway),
      BEHEER_RVIG_PORT: String(ports.beheerRvig),
      BEHEER_HAARLEM_PORT: String(ports.beheerHaarlem),
      DEV_MAIL_PORT: String(ports.devMail),
      DEV_MAIL_SMTP_PORT: String(ports.devMailSmtp),
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
  const started = new Promise<void>((resolve, reject) => {
    // Twelve processes on two cores, beside whatever else a test run does at the time: up to three minutes.
    const timer = setTimeout(() => reject(new Error(`the system did not start:\n${output}`)), 180_000);
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
  try {
    await started;
  } catch (error) {
    // A system that did not come up is stopped and its folder removed: its parts must not outlive the test.
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(data, { recursive: true, force: true });
    throw error;
  }
  return {
    process: child,
    data,
    ports,
    output,
    printed: () => printed,
    async stop(stopOptions: { keepData?: boolean } = {}) {
      const exited =
        child.exitCode === null && child.signalCode === null
          ? new Promise<number | null>((resolve) => child.on('exit', resolve))
          : Promise.resolve(child.exitCode);
      child.kill('SIGTERM');
      const code = await exited;
      if (!stopOptions.keepData) rmSync(temporary, { recursive: true, force: true });
      return code;
    },
  };
}

/** Waits until the system's gateway works with a directory at least as new as its registry's now. */
export async function gatewayHasNewestDirectory(system: Pick<RunningSystem, 'ports'>): Promise<void> {
  const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
  const { serial } = (await ready(system.ports.registry)) as { serial: number };
  for (let i = 0; i < 400; i++) {
    const { directory } = (await ready(system.ports.gateway)) as { directory: { serial: number } };
    if (directory.serial >= serial) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the gateway did not take directory serial ${serial}`);
}

/**
 * What an application sends its outway for the demo's first query: Suzanne Moulin's voornamen (or
 * `fields`) from the BRP, with its API key; raw HTTP, no sdk.
 */
export function askOutwayForSuzanne(
  outwayUrl: string,
  apiKey: string,
  fields: readonly string[] = ['naam.voornamen'],
): Promise<Response> {
  return fetch(`${outwayUrl}/brp-personen/personen`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields }),
  });
}
