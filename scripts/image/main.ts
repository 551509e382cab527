/**
 * `pnpm test:image`: makes the base images when they are not here, builds the image, runs a registry, a
 * source, an inway and an outway as containers, sends a query through them, checks the Kubernetes
 * manifest with `podman kube play` (new pods included), and cleans up; exit 0 when all of it worked, 1
 * otherwise with the step that failed (outcome.ts), 2 when podman cannot run a container on this machine.
 */
import { runImageTest } from './image-test.ts';
import { outcomeOf } from './outcome.ts';
import { whyPodmanCannotRun } from './podman.ts';

const cannotRun = whyPodmanCannotRun();
if (cannotRun) {
  console.error(`pnpm test:image: ${cannotRun}`);
  process.exit(2);
}
const outcome = outcomeOf(
  await runImageTest((line) => console.log(line)).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  ),
);
for (const line of outcome.out) console.log(line);
for (const line of outcome.err) console.error(line);
process.exitCode = outcome.code;
