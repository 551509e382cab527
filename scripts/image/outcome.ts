/**
 * What `pnpm test:image` (main.ts) prints and exits with: 0 only when every step worked, the Kubernetes
 * manifest's check included; 1 otherwise, with one line naming the step that failed and why.
 */
import { type ImageTestResult, ImageTestStepError } from './image-test.ts';

export interface Outcome {
  readonly code: 0 | 1;
  /** For stdout: the run's figures (also when it failed, what was measured). */
  readonly out: readonly string[];
  /** For stderr: the failed step. */
  readonly err: readonly string[];
}

/**
 * The outcome of a run that returned `result`, or that threw `error`.
 *
 * @example
 * const { code, out, err } = outcomeOf({ result: await runImageTest(console.log) });
 */
export function outcomeOf(run: { readonly result: ImageTestResult } | { readonly error: unknown }): Outcome {
  if ('error' in run) {
    const { error } = run;
    const line =
      error instanceof ImageTestStepError
        ? `pnpm test:image failed at step "${error.step}": ${(error.cause as Error)?.message ?? String(error.cause)}`
        : `pnpm test:image failed: ${error instanceof Error ? error.message : String(error)}`;
    return { code: 1, out: [], err: [line] };
  }
  const { seconds, imageBytes, baseImages, kube } = run.result;
  const out = [JSON.stringify({ seconds, imageBytes, baseImages })];
  if (!kube.ok) return { code: 1, out, err: [`pnpm test:image failed at step "kube play": ${kube.error}`] };
  return { code: 0, out, err: [] };
}
