/**
 * Podman as these machines run it (issue 27): images in `vfs` storage, containers under `runc` with
 * cgroupfs, and a `containers.conf` without default ulimits (the kernel here refuses the default
 * `nofile` limit). One place builds every podman command line, for the base images, the image and the
 * containers alike.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where made base images' ingredients and podman's settings are kept between runs. */
export const cacheDir = process.env.POORTWACHTER_IMAGE_CACHE || '/var/tmp/poortwachter-image';

/** Podman's global options on these machines. */
const GLOBAL = ['--storage-driver', 'vfs', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];

/** The `containers.conf` every podman command here reads (through CONTAINERS_CONF). */
function containersConf(): string {
  const file = join(cacheDir, 'containers.conf');
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, '[containers]\ndefault_ulimits = []\n');
  return file;
}

let conf: string | undefined;
const env = () => {
  conf ??= containersConf();
  return { ...process.env, CONTAINERS_CONF: conf };
};

/** A podman command that failed: its arguments, exit code and the end of what it printed. */
export class PodmanError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`podman ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`);
  }
}

export interface PodmanOptions {
  /** Each line it prints, as it comes (a long build reports progress). */
  readonly onLine?: (line: string) => void;
  /** Accept a non-zero exit (the caller reads `code`). */
  readonly allowFailure?: boolean;
  readonly cwd?: string;
}

/**
 * Runs `podman <args>` with this machine's global options and gives its exit code and output.
 *
 * @example
 * const { out } = await podman(['image', 'ls', '--format', '{{.Repository}}']);
 */
export function podman(
  args: readonly string[],
  options: PodmanOptions = {},
): Promise<{ code: number | null; out: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', [...GLOBAL, ...args], {
      cwd: options.cwd,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let output = '';
    let partial = '';
    const take = (chunk: Buffer, isOut: boolean) => {
      const text = chunk.toString();
      if (isOut) out += text;
      output += text;
      if (!options.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    child.stdout.on('data', (c: Buffer) => take(c, true));
    child.stderr.on('data', (c: Buffer) => take(c, false));
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial && options.onLine) options.onLine(partial);
      if (code !== 0 && !options.allowFailure) reject(new PodmanError(args, code, output));
      else resolve({ code, out, output });
    });
  });
}

/**
 * Why podman cannot run a container here, or undefined when it can: a throw-away container runs
 * `/usr/bin/true` from a root folder made of that binary and the libraries it links (no image needed).
 */
export function whyPodmanCannotRun(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v podman'], { encoding: 'utf8' });
  if (which.status !== 0) return 'no podman on this machine (apt-get install podman runc uidmap debootstrap)';
  const rootfs = mkdtempSync(join(tmpdir(), 'podman-probe-'));
  try {
    const libraries = spawnSync('ldd', ['/usr/bin/true'], { encoding: 'utf8' }).stdout.match(/\/\S+/g) ?? [];
    for (const file of ['/usr/bin/true', ...libraries]) {
      mkdirSync(join(rootfs, dirname(file)), { recursive: true });
      copyFileSync(file, join(rootfs, file));
    }
    const run = spawnSync(
      'podman',
      [...GLOBAL, 'run', '--rm', '--network', 'host', '--rootfs', rootfs, '/usr/bin/true'],
      {
        encoding: 'utf8',
        env: env(),
      },
    );
    if (run.error) return `podman cannot run a container here: ${run.error.message}`;
    if (run.status !== 0) {
      return `podman cannot run a container here: ${(run.stderr || run.stdout).trim().split('\n').at(-1)}`;
    }
    return undefined;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}
