import { spawn } from 'node:child_process';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';
import { root } from './start-system.ts';

/** How a process ended, and everything it printed. */
export interface Finished {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  /** stdout and stderr as they came, interleaved. */
  readonly output: string;
}

/**
 * Runs a command to completion, as a user would (from the repository root unless `cwd` says otherwise,
 * with this process's environment plus `env`), and gives its exit code and output.
 *
 * @example
 * const { code, err } = await runProcess('sh', ['-c', 'exit 2']);
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      output += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, out, err, output }));
  });
}

/**
 * A TypeScript entry of the workspace run to completion with tsx as its loader (`preload`: more
 * `--import` modules before it).
 *
 * @example
 * const { code } = await runEntry('packages/sdk/src/cli/main.ts', ['--version']);
 */
export function runEntry(
  entry: string,
  args: readonly string[] = [],
  options: { env?: Record<string, string | undefined>; preload?: readonly string[] } = {},
): Promise<Finished> {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', module]);
  return runProcess(process.execPath, [...SOURCE_LOADER, ...preload, entry, ...args], {
    ...(options.env ? { env: options.env } : {}),
  });
}

/** The `poortwachter` CLI, from the sources, as `pnpm poortwachter …` runs it. */
export const runCli = (args: readonly string[], options: Parameters<typeof runEntry>[2] = {}) =>
  runEntry('packages/sdk/src/cli/main.ts', args, options);
