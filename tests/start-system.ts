import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';
import { freePorts } from './free-ports.ts';

export { freePort, freePorts } from './free-ports.ts';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** Each port of a running system, by the setting that moves it (`pnpm start`'s parts and the mailbox's SMTP port). */
const PORT_SETTINGS = {
  registry: 'REGISTRY_PORT',
  source: 'SOURCE_PORT',
  gateway: 'GATEWAY_PORT',
  idp: 'IDP_PORT',
  outway: 'OUTWAY_PORT',
  portal: 'PORTAL_PORT',
  auditor: 'AUDITOR_PORT',
  brkSource: 'BRK_SOURCE_PORT',
  brkGateway: 'BRK_GATEWAY_PORT',
  beheerRvig: 'BEHEER_RVIG_PORT',
  beheerHaarlem: 'BEHEER_HAARLEM_PORT',
  devMail: 'DEV_MAIL_PORT',
  devMailSmtp: 'DEV_MAIL_SMTP_PORT',
  witnessRegistry: 'WITNESS_REGISTRY_PORT',
  witnessAp: 'WITNESS_AP_PORT',
} as const;

export interface RunningSystem {
  readonly process: ChildProcess;
  /** Its own data folder (keys, databases). */
  readonly data: string;
  readonly ports: { readonly [name in keyof typeof PORT_SETTINGS]: number };
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
  const names = Object.keys(PORT_SETTINGS) as (keyof typeof PORT_SETTINGS)[];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, free[i] as number])) as RunningSystem['ports'];
  const [command, ...args] = options.command ?? [process.execPath, ...SOURCE_LOADER, 'scripts/start-system.ts'];
  const child = spawn(command as string, args, {
    cwd: root,
    detached: options.detached === true,
    env: {
      ...process.env,
      DATA_DIR: data,
      ...Object.fromEntries(names.map((name) => [PORT_SETTINGS[name], String(ports[name])])),
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
    // Fourteen processes on two cores, beside whatever else a test run does at the time: up to three minutes.
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
