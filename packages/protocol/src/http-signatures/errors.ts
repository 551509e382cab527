/** Why a signature or digest was refused; one closed set, so that gateways map each to a response. */
export type HttpSignatureFailure =
  | 'missing'
  | 'malformed'
  | 'unknownKey'
  | 'revokedKey'
  | 'algorithmMismatch'
  | 'missingComponent'
  | 'expired'
  | 'notYetValid'
  | 'validityTooLong'
  | 'badSignature'
  | 'digestMissing'
  | 'digestMismatch';

export class HttpSignatureError extends Error {
  constructor(
    readonly reason: HttpSignatureFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpSignatureError';
  }
}
