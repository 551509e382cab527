/**
 * The image as an operator builds and runs it (scripts/image/image-test.ts, also `pnpm test:image`): base
 * images, the Containerfile built unchanged, a registry, a source, an inway and an outway as containers,
 * a query through them, the Kubernetes manifest through `podman kube play`. Skipped only where podman
 * cannot run a container, and then the test's name says why.
 */
import { describe, expect, it } from 'vitest';
import { runImageTest } from '../../scripts/image/image-test.ts';
import { whyPodmanCannotRun } from '../../scripts/image/podman.ts';

const cannotRun = whyPodmanCannotRun();

describe.skipIf(cannotRun !== undefined)(`the container image${cannotRun ? ` (skipped: ${cannotRun})` : ''}`, () => {
  it(
    'builds from the Containerfile, runs each role as a container and answers a query through the outway',
    async () => {
      const result = await runImageTest((line) => console.log(line));
      expect(result.answer).toEqual({
        type: 'RaadpleegMetBurgerservicenummer',
        personen: [{ naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' } }],
      });
      expect(result.kube).toMatch(/ready/);
    },
    // A first run makes the base images and compiles better-sqlite3 in the build stage: minutes.
    30 * 60_000,
  );
});
