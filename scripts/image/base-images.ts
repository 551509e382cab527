/**
 * Makes, on this machine, the public Node base images a Containerfile names (`docker.io/library/node:20-bookworm`
 * and `…-slim`), since no image registry is reachable here: Debian from its packages (`debootstrap
 * --variant=minbase`, from the apt mirror this machine uses), Node's binary from the npm package
 * `node-linux-<arch>` (the npm `node` package's binaries) and npm from the npm package `npm`, laid out as the
 * official images lay them out (`/usr/local`, a `node` user 1000:1000), the full one with the build tools
 * (python3, make, g++). An image of that name that this module did not make (pulled from the real
 * registry) is left alone and used. The rootfs tarball and the packages are kept under `cacheDir`, and the
 * images carry a label with what they were made from, so a second run makes nothing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { cacheDir, podman } from './podman.ts';

/** Bump when the recipe below changes, so images made by an older recipe are made again. */
const RECIPE = 'r1';
const LABEL = 'org.poortwachter.base-image';
const NODE_ARCH: Record<string, string> = { x64: 'x64', arm64: 'arm64' };
const DEBIAN_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** A base image name this module knows how to make: `docker.io/library/node:<major>-<suite>[-slim]`. */
interface BaseImage {
  readonly name: string;
  readonly major: string;
  readonly suite: string;
  readonly slim: boolean;
}

/** The base images a Containerfile's `FROM` lines name that this module can make (others are left to podman). */
export function baseImagesOf(containerfile: string): BaseImage[] {
  const names = new Set<string>();
  for (const match of containerfile.matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)) names.add(match[1] as string);
  return [...names].flatMap((name) => {
    const parsed = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)-([a-z]+)(-slim)?$/.exec(name);
    if (!parsed) return [];
    return [{ name, major: parsed[1] as string, suite: parsed[2] as string, slim: parsed[3] !== undefined }];
  });
}

/** The Debian mirror this machine's apt uses (`/etc/apt/sources.list*`), or deb.debian.org. */
export function debianMirror(): string {
  if (process.env.DEBIAN_MIRROR) return process.env.DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) files.push(...readdirSync(dir).map((f) => join(dir, f)));
  for (const file of files) {
    if (!existsSync(file)) continue;
    // One-line form (`deb [opts] http://… bookworm main`) and deb822 form (`URIs: http://…`).
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(\S+)/gm)) {
      const uri = (match[1] as string).replace(/\/$/, '');
      if (/^https?:\/\/.*\/debian$/.test(uri)) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

type Report = (line: string) => void;

/** Certificate authorities this machine adds to Debian's (`update-ca-certificates` reads them from here). */
const LOCAL_CAS = '/usr/local/share/ca-certificates';

/**
 * This machine's own certificate authorities, for the build image: where the way to the npm registry
 * passes a TLS proxy, npm and pnpm in the build stage must trust what the machine trusts, as an
 * organisation's own base image would. Node reads them through NODE_EXTRA_CA_CERTS.
 */
function extraCas(): { files: string[]; digest: string } {
  const files = existsSync(LOCAL_CAS)
    ? readdirSync(LOCAL_CAS)
        .filter((f) => f.endsWith('.crt'))
        .sort()
    : [];
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(join(LOCAL_CAS, file)));
  return { files, digest: hash.digest('hex').slice(0, 12) };
}

/** `debian-<suite>-minbase-<arch>.tar` in the cache: made once with debootstrap, without apt's caches. */
function debianRootfs(suite: string, report: Report): string {
  const debArch = DEBIAN_ARCH[arch()] ?? arch();
  const tarball = join(cacheDir, `debian-${suite}-minbase-${debArch}.tar`);
  if (existsSync(tarball)) return tarball;
  if (process.getuid?.() !== 0) throw new Error('debootstrap needs root: run as root, or pull the base images');
  const mirror = debianMirror();
  report(`debootstrap --variant=minbase ${suite} from ${mirror} (once; kept in ${tarball})`);
  const work = mkdtempSync(join(cacheDir, 'rootfs-'));
  try {
    execFileSync('debootstrap', ['--variant=minbase', `--arch=${debArch}`, suite, join(work, 'rootfs'), mirror], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const security = mirror.replace(/\/debian$/, '/debian-security');
    writeFileSync(
      join(work, 'rootfs/etc/apt/sources.list'),
      `deb ${mirror} ${suite} main\ndeb ${mirror} ${suite}-updates main\ndeb ${security} ${suite}-security main\n`,
    );
    execFileSync('sh', ['-c', 'rm -rf rootfs/var/cache/apt/archives/*.deb rootfs/var/lib/apt/lists/*'], { cwd: work });
    execFileSync('tar', ['-C', join(work, 'rootfs'), '-cf', `${tarball}.part`, '.']);
    renameSync(`${tarball}.part`, tarball);
    return tarball;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `npm pack <spec>` into the cache (once per resolved version); gives the tarball's path. */
function npmPackage(spec: string, cachedPrefix: string, report: Report): string {
  const cached = readdirSync(cacheDir).filter((f) => f.startsWith(cachedPrefix) && f.endsWith('.tgz'));
  const newest = cached.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
  if (newest) return join(cacheDir, newest);
  report(`npm pack ${spec}`);
  const json = execFileSync('npm', ['pack', spec, '--pack-destination', cacheDir, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(json) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${spec} gave no tarball`);
  return join(cacheDir, packed.filename.replace(/^@.*\//, ''));
}

/** The label of an image, '' when it has none, or undefined when there is no such image. */
async function labelOf(name: string): Promise<string | undefined> {
  const { code, out } = await podman(['image', 'inspect', '--format', `{{index .Labels "${LABEL}"}}`, name], {
    allowFailure: true,
  });
  if (code !== 0) return undefined;
  return out.trim().replace(/^<no value>$/, '');
}

/** Builds `name` from a generated Containerfile in `context` (network for apt-get), as one commit: with vfs storage every intermediate layer is a full copy. */
async function build(name: string, context: string, containerfile: string, report: Report) {
  writeFileSync(join(context, 'Containerfile'), containerfile);
  await podman(['build', '--layers=false', '--network', 'host', '--format', 'docker', '--tag', name, context], {
    onLine: (line) => report(`  ${line}`),
  });
}

/** Node for `major`: the running one when it is that major (CI's Node 20), else the newest of the line. */
function nodeSpec(major: string): string {
  const running = process.versions.node;
  return running.startsWith(`${major}.`) ? running : major;
}

/**
 * Makes each base image `containerfile` names that is not here yet; returns what it did per image
 * (`made`, `cached`: made here before from the same recipe, or `present`: an image this module did not make).
 *
 * @example
 * await makeBaseImages(readFileSync('Containerfile', 'utf8'), console.log);
 */
export async function makeBaseImages(containerfile: string, report: Report): Promise<Record<string, string>> {
  mkdirSync(cacheDir, { recursive: true });
  const done: Record<string, string> = {};
  // The slim ones first: a full one is its slim one plus the build tools.
  const wanted = baseImagesOf(containerfile).sort((a, b) => Number(b.slim) - Number(a.slim));
  for (const image of wanted) {
    const key = `${image.suite}-node${image.major}-${image.slim ? 'slim' : `full-ca${extraCas().digest}`}-${RECIPE}`;
    const label = await labelOf(image.name);
    if (label === key) {
      done[image.name] = 'cached';
      continue;
    }
    if (label === '') {
      done[image.name] = 'present';
      continue;
    }
    const slimName = `docker.io/library/node:${image.major}-${image.suite}-slim`;
    if (image.slim) await makeSlim(image, slimName, key, report);
    else {
      const slimKey = `${image.suite}-node${image.major}-slim-${RECIPE}`;
      const slimLabel = await labelOf(slimName);
      if (slimLabel !== slimKey && slimLabel !== '')
        await makeSlim({ ...image, slim: true }, slimName, slimKey, report);
      report(`making ${image.name}: ${slimName} plus python3, make and g++ (apt-get)`);
      const context = mkdtempSync(join(cacheDir, 'context-'));
      try {
        mkdirSync(join(context, 'ca'));
        for (const file of extraCas().files) copyFileSync(join(LOCAL_CAS, file), join(context, 'ca', file));
        await build(
          image.name,
          context,
          `FROM ${slimName}\n` +
            'COPY ca/ /usr/local/share/ca-certificates/\n' +
            'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n' +
            '      ca-certificates python3 make g++ && rm -rf /var/lib/apt/lists/*\n' +
            'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\n' +
            `LABEL ${LABEL}=${key}\n`,
          report,
        );
      } finally {
        rmSync(context, { recursive: true, force: true });
      }
    }
    done[image.name] = 'made';
  }
  return done;
}

/** The slim image: Debian minbase plus Node and npm under /usr/local, and the `node` user. */
async function makeSlim(image: BaseImage, name: string, key: string, report: Report) {
  const rootfs = debianRootfs(image.suite, report);
  const debian = `localhost/poortwachter-base/debian:${image.suite}-minbase`;
  if ((await labelOf(debian)) === undefined) {
    report(`podman import ${rootfs} as ${debian}`);
    await podman(['import', rootfs, debian]);
  }
  const nodeArch = NODE_ARCH[arch()];
  if (!nodeArch) throw new Error(`no Node binary package for ${arch()}`);
  const nodeTgz = npmPackage(
    `node-linux-${nodeArch}@${nodeSpec(image.major)}`,
    `node-linux-${nodeArch}-${nodeSpec(image.major)}`,
    report,
  );
  const npmTgz = npmPackage('npm@10', 'npm-10.', report);
  const version = /-(\d+\.\d+\.\d+)\.tgz$/.exec(nodeTgz)?.[1] ?? image.major;
  report(`making ${name}: ${debian} plus Node ${version} and npm`);
  const context = mkdtempSync(join(cacheDir, 'context-'));
  try {
    const local = join(context, 'usr/local');
    mkdirSync(join(local, 'lib/node_modules/npm'), { recursive: true });
    execFileSync('tar', [
      '-xzf',
      nodeTgz,
      '-C',
      local,
      '--strip-components=1',
      'package/bin',
      'package/include',
      'package/share',
    ]);
    execFileSync('tar', ['-xzf', npmTgz, '-C', join(local, 'lib/node_modules/npm'), '--strip-components=1']);
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx'));
    await build(
      name,
      context,
      `FROM ${debian}\n` +
        // `podman import` gives no environment; the official images' PATH.
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' +
        'COPY usr/local/ /usr/local/\n' +
        'RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node\n' +
        `ENV NODE_VERSION=${version}\n` +
        `LABEL ${LABEL}=${key}\n` +
        'CMD ["node"]\n',
      report,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
