import type { ProblemDetails } from '@poortwachter/protocol';

/**
 * The one error the sdk throws: a refusal or failure with the server's problem details when there
 * are any, or a local reason (`directoryUnverified`, `network`, …).
 *
 * @example
 * try { await client.personen.raadpleeg(…) } catch (e) { if (isSdkError(e)) console.log(e.problem?.invalidParams) }
 */
export class SdkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly problem?: ProblemDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SdkError';
  }
}

export const isSdkError = (value: unknown): value is SdkError => value instanceof SdkError;
