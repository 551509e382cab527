/**
 * The image as an operator builds and runs it (scripts/image/image-test.ts, also `pnpm test:image`): base
 * images, the Containerfile built unchanged, a registry, a source, an inway and an outway as containers,
 * a query through them, the Kubernetes manifest through `podman kube play` (new pods on the same volumes
 * during a registry key rotation included: scripts/image/kube-state.ts). Skipped only where podman
 * cannot run a container, and then the test's name says why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ImageTestResult, runImageTest } from '../../scripts/image/image-test.ts';
import { whyPodmanCannotRun } from '../../scripts/image/podman.ts';

const cannotRun = whyPodmanCannotRun();

describe.skipIf(cannotRun !== undefined)(`the container image${cannotRun ? ` (skipped: ${cannotRun})` : ''}`, () => {
  let result: ImageTestResult;
  // A first run makes the base images and compiles better-sqlite3 in the build stage: minutes.
  beforeAll(async () => {
    result = await runImageTest((line) => console.log(line));
  }, 45 * 60_000);

  it('builds from the Containerfile, runs each role as a container and answers a query through the outway', () => {
    expect(result.answer).toEqual({
      type: 'RaadpleegMetBurgerservicenummer',
      personen: [{ naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' } }],
    });
  });

  it('plays the Kubernetes manifest with podman kube play: ready, and new pods find their state on their volumes', () => {
    expect(result.kube).toMatchObject({ ok: true });
  });
});
