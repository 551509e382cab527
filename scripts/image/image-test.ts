/**
 * The container image, end to end, as an operator runs it (`pnpm test:image`; tests/image/container.test.ts
 * runs the same steps): the base images the Containerfile names (made here when no registry is
 * reachable), the image from the Containerfile unchanged, then a registry, the example BRP source, an
 * inway and an outway, each a container of that image started with its role, sharing one data volume (the
 * keys the registry's demo seed writes), a query through the outway with the demo application's key,
 * the Kubernetes manifest through `podman kube play`, and clean-up. Each step is reported as it goes,
 * with its time.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { freePorts, root } from '../../tests/start-system.ts';
import { makeBaseImages } from './base-images.ts';
import { checkKubernetesManifest } from './kube-check.ts';
import { podman } from './podman.ts';

/** The tag the test builds; kept between runs so that a second build reuses its layers. */
export const IMAGE = 'localhost/poortwachter:test';

/** What a run measured (seconds, bytes) and what it got back. */
export interface ImageTestResult {
  readonly seconds: Record<string, number>;
  readonly imageBytes: number;
  readonly baseImages: Record<string, string>;
  /** The outway's answer to the query. */
  readonly answer: unknown;
  /** What `podman kube play` of the manifest gave: each server's readiness, or why it failed. */
  readonly kube: { readonly ok: true; readonly ready: string } | { readonly ok: false; readonly error: string };
}

type Report = (line: string) => void;

/** A step of the image test that failed: which one, and why. */
export class ImageTestStepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Polls `url` until it answers 2xx; gives the seconds it took, or throws with the container's log. */
async function awaitReady(url: string, container: string, timeoutSeconds = 90): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutSeconds * 1000) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return (Date.now() - started) / 1000;
    const { out } = await podman(['inspect', '--format', '{{.State.Running}}', container], { allowFailure: true });
    if (out.trim() === 'false') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { output } = await podman(['logs', container], { allowFailure: true });
  throw new Error(`${container} did not answer ${url} within ${timeoutSeconds} s:\n${output.slice(-3000)}`);
}

/**
 * Runs every step; containers and volumes it made are removed at the end, also when a step fails (the
 * images stay, as a cache for the next run). A failed step throws an ImageTestStepError naming it; a
 * manifest podman cannot play is its own outcome (`kube`), so that it does not hide that the image ran.
 *
 * @example
 * const result = await runImageTest((line) => console.log(line));
 */
export async function runImageTest(report: Report): Promise<ImageTestResult> {
  const at = { step: 'base images' };
  try {
    return await runSteps(report, at);
  } catch (error) {
    throw new ImageTestStepError(at.step, error);
  }
}

/** The steps of runImageTest; `at.step` names the one under way. */
async function runSteps(report: Report, at: { step: string }): Promise<ImageTestResult> {
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const log: Report = (line) => report(`[image ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    at.step = name;
    const t = Date.now();
    const value = await step();
    seconds[name] = (Date.now() - t) / 1000;
    log(`${name}: ${seconds[name]} s`);
    return value;
  };

  const containerfile = readFileSync(join(root, 'Containerfile'), 'utf8');
  log('base images the Containerfile names');
  const baseImages = await timed('base images', () => makeBaseImages(containerfile, (line) => log(line)));
  log(`base images: ${JSON.stringify(baseImages)}`);

  log(`podman build --format docker --network host -t ${IMAGE} . (the Containerfile unchanged)`);
  await timed('image build', () =>
    podman(['build', '--format', 'docker', '--network', 'host', '--tag', IMAGE, '--file', 'Containerfile', '.'], {
      cwd: root,
      onLine: (line) => log(`  ${line}`),
    }),
  );
  const imageBytes = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).out.trim());
  log(`image size: ${(imageBytes / 1e6).toFixed(0)} MB`);

  const run = `poortwachter-test-${randomBytes(3).toString('hex')}`;
  const volume = `${run}-data`;
  const containers: string[] = [];
  try {
    await podman(['volume', 'create', volume]);
    const [registryPort, sourcePort, inwayPort, outwayPort] = (await freePorts(4)) as [number, number, number, number];
    const local = (port: number) => `http://127.0.0.1:${port}`;
    const start = async (role: string, port: number, env: Record<string, string>) => {
      const name = `${run}-${role}`;
      at.step = `the ${role} container`;
      // The demo, as `pnpm start` runs it (production, without it, is each server's default).
      const settings = Object.entries({
        HOST: '127.0.0.1',
        PORT: String(port),
        POORTWACHTER_DEMO: 'true',
        ...env,
      }).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const t = Date.now();
      await podman([
        'run',
        '--detach',
        '--name',
        name,
        '--network',
        'host',
        '--volume',
        `${volume}:/data`,
        ...settings,
        IMAGE,
        role,
      ]);
      containers.push(name);
      await awaitReady(`${local(port)}/readyz`, name);
      seconds[`${role} start to /readyz`] = (Date.now() - t) / 1000;
      log(`${role} (container ${name}) ready on ${local(port)}: ${seconds[`${role} start to /readyz`]} s`);
      return name;
    };

    // The registry's demo seed writes every demo organisation's key to the shared volume, as `pnpm start` does.
    await start('registry', registryPort, { GATEWAY_PUBLIC_URL: local(inwayPort) });
    await start('brp-source', sourcePort, {});
    await start('inway', inwayPort, { REGISTRY_URL: local(registryPort), SOURCE_URL: local(sourcePort) });
    const outway = await start('outway', outwayPort, {
      REGISTRY_URL: local(registryPort),
      ORGANISATION_OIN: DEMO_OIN.utrecht,
      DEMO_APPLICATION_KEY_FILE: '/data/outway-api-key',
    });

    at.step = 'non-root user and HEALTHCHECK';
    const uid = (await podman(['exec', outway, 'id', '-u'])).out.trim();
    if (uid === '0') throw new Error('the outway runs as root in its container');
    log(`the servers run as uid ${uid}, not root`);
    const health = await podman(['healthcheck', 'run', outway], { allowFailure: true });
    if (health.code !== 0) throw new Error(`the image's HEALTHCHECK fails on a ready outway: ${health.output}`);
    log('podman healthcheck run: healthy');

    const apiKey = (await podman(['exec', outway, 'cat', '/data/outway-api-key'])).out.trim();
    const answer = await timed('query through the outway', async () => {
      const response = await fetch(`${local(outwayPort)}/brp-personen/personen`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: ['999993653'],
          fields: ['naam.voornamen', 'naam.geslachtsnaam'],
        }),
      });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`the outway answered ${response.status}: ${body}`);
      return JSON.parse(body) as unknown;
    });
    log(`answer: ${JSON.stringify(answer)}`);

    // Its own outcome: a manifest podman cannot play does not hide that the image ran and answered.
    const kube = await timed('kube play', () =>
      checkKubernetesManifest(IMAGE, (line) => log(line)).then(
        (ready) => ({ ok: true as const, ready }),
        (error: Error) => ({ ok: false as const, error: error.message }),
      ),
    );
    if (!kube.ok) log(`kube play FAILED: ${kube.error}`);
    seconds.total = (Date.now() - started) / 1000;
    log(`done in ${seconds.total} s`);
    return { seconds, imageBytes, baseImages, answer, kube };
  } finally {
    for (const name of containers.reverse())
      await podman(['rm', '--force', '--time', '5', name], { allowFailure: true });
    await podman(['volume', 'rm', '--force', volume], { allowFailure: true });
    log('containers and volume removed');
  }
}
