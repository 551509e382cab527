/**
 * `pnpm test:image`: makes the base images when they are not here, builds the image, runs a registry, a
 * source, an inway and an outway as containers, sends a query through them, checks the Kubernetes
 * manifest with `podman kube play`, and cleans up; exit 0 when all of it worked, 1 otherwise (2: podman
 * cannot run a container on this machine).
 */
import { runImageTest } from './image-test.ts';
import { whyPodmanCannotRun } from './podman.ts';

const cannotRun = whyPodmanCannotRun();
if (cannotRun) {
  console.error(`pnpm test:image: ${cannotRun}`);
  process.exit(2);
}
try {
  const result = await runImageTest((line) => console.log(line));
  console.log(
    JSON.stringify({ seconds: result.seconds, imageBytes: result.imageBytes, baseImages: result.baseImages }),
  );
} catch (error) {
  console.error(`pnpm test:image failed: ${(error as Error).message}`);
  process.exit(1);
}
