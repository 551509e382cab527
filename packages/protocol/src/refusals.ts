import { type InvalidParam, type ProblemCode, ProblemError } from './problem.ts';

/** FSC-style error codes, sent in the `Fsc-Error-Code` header beside the problem+json body. */
export type FscErrorCode =
  | 'ERROR_CODE_ACCESS_TOKEN_MISSING'
  | 'ERROR_CODE_ACCESS_TOKEN_INVALID'
  | 'ERROR_CODE_ACCESS_TOKEN_EXPIRED'
  | 'ERROR_CODE_ACCESS_DENIED'
  | 'ERROR_CODE_REQUEST_INVALID'
  | 'ERROR_CODE_SERVICE_NOT_FOUND'
  | 'ERROR_CODE_SERVICE_UNREACHABLE'
  | 'ERROR_CODE_DIRECTORY_UNAVAILABLE'
  /** Ours: FSC defines no code for a caller over its quota (429, with `Retry-After`). */
  | 'ERROR_CODE_RATE_LIMITED'
  | 'TRANSACTION_LOG_WRITE_ERROR'
  | 'ERROR_CODE_INTERNAL';

/**
 * Every reason the gateway refuses a request, in one closed map: the BRP problem code (which fixes
 * the HTTP status, see PROBLEM_STATUS) and the FSC error code. Refusals are recorded under the key.
 */
export const REFUSALS = {
  signatureMissing: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_MISSING' },
  signatureInvalid: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  signatureExpired: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_EXPIRED' },
  unknownKey: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  revokedKey: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  replayedNonce: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  digestMismatch: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  citizenTokenMissing: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_MISSING' },
  citizenTokenInvalid: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  citizenTokenExpired: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_EXPIRED' },
  identityProviderUnavailable: { problem: 'serviceUnavailable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  assuranceTooLow: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  notAuditor: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  reportNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  logEntryNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  treeHeadPending: { problem: 'serviceUnavailable', fsc: 'ERROR_CODE_INTERNAL' },
  processingActivityMissing: { problem: 'paramsValidation', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  unknownProcessingActivity: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  foreignProcessingActivity: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  processingActivityNotInForce: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  grondslagNotInForce: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  noAutorisatie: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  autorisatieExpired: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  autorisatieNotYetValid: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  /**
   * The contract is in force but was signed for another version of the verwerkingsactiviteit (or a
   * grondslag that version does not name): the activity changed after both sides signed.
   */
  processingActivityChanged: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  unauthorizedField: { problem: 'unauthorizedField', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  unauthorizedParameter: { problem: 'unauthorizedParameter', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  invalidRequest: { problem: 'paramsValidation', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  notAcceptable: { problem: 'notAcceptable', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  requestAborted: { problem: 'paramsValidation', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  payloadTooLarge: { problem: 'payloadTooLarge', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  unsupportedMediaType: { problem: 'unsupportedMediaType', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  serviceNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_SERVICE_NOT_FOUND' },
  /** No operation of the service's description has this method and path. */
  operationNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  /** The source has no resource with this identification. */
  resourceNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  sourceRefused: { problem: 'paramsValidation', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  tooManyResults: { problem: 'tooManyResults', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  sourceUnreachable: { problem: 'serviceUnreachable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  sourceError: { problem: 'serviceUnreachable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  sourceInvalidAnswer: { problem: 'serviceUnreachable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  sourceTimeout: { problem: 'serviceTimeout', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  directoryUnavailable: { problem: 'serviceUnavailable', fsc: 'ERROR_CODE_DIRECTORY_UNAVAILABLE' },
  logWriteFailed: { problem: 'serverError', fsc: 'TRANSACTION_LOG_WRITE_ERROR' },
  /** The caller (an afnemer, an application, a citizen, an address) is over its quota: 429 with `Retry-After`. */
  rateLimited: { problem: 'tooManyRequests', fsc: 'ERROR_CODE_RATE_LIMITED' },
  /** The database's log no longer extends the head the gateway published (a restore of an older backup). */
  logRolledBack: { problem: 'serviceUnavailable', fsc: 'TRANSACTION_LOG_WRITE_ERROR' },
  /** The inway sends no e-mail (it has no SMTP settings): a citizen cannot subscribe to notices there. */
  noticeUnavailable: { problem: 'noticeUnavailable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  /** The citizen has no notice subscription at this inway. */
  noticeNotFound: { problem: 'noticeNotFound', fsc: 'ERROR_CODE_REQUEST_INVALID' },

  // Terugmeldingen (issue 29).
  /** No terugmelding with this id that the caller may see (another's is as unknown as none). */
  terugmeldingNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  /** The terugmelding's status does not allow this change (it is final, or the step is not one its party may make). */
  terugmeldingConflict: { problem: 'conflict', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  /** Only the service's bronhouder handles terugmeldingen. */
  notBronhouder: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  /** Only the melder withdraws a terugmelding (a citizen cannot withdraw an organisation's). */
  notMelder: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  // The outway's own refusals (the afnemer's side, in front of its applications).
  apiKeyMissing: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_MISSING' },
  apiKeyInvalid: { problem: 'authentication', fsc: 'ERROR_CODE_ACCESS_TOKEN_INVALID' },
  applicationNotBound: { problem: 'unauthorized', fsc: 'ERROR_CODE_ACCESS_DENIED' },
  grantNotFound: { problem: 'notFound', fsc: 'ERROR_CODE_SERVICE_NOT_FOUND' },
  providerRefused: { problem: 'paramsValidation', fsc: 'ERROR_CODE_REQUEST_INVALID' },
  providerUnreachable: { problem: 'serviceUnreachable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  providerUnverified: { problem: 'serviceUnreachable', fsc: 'ERROR_CODE_SERVICE_UNREACHABLE' },
  internal: { problem: 'serverError', fsc: 'ERROR_CODE_INTERNAL' },
} as const satisfies Record<string, { problem: ProblemCode; fsc: FscErrorCode }>;

export type RefusalReason = keyof typeof REFUSALS;

/**
 * A refusal: a ProblemError that also carries its reason (for the audit table) and sends
 * `Fsc-Error-Code`.
 *
 * @example
 * throw new GatewayRefusal('unauthorizedField', 'Niet geautoriseerd voor 2 van de gevraagde velden.', { invalidParams });
 */
export class GatewayRefusal extends ProblemError {
  readonly reason: RefusalReason;

  constructor(
    reason: RefusalReason,
    detail: string,
    options: { invalidParams?: InvalidParam[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    const { problem, fsc } = REFUSALS[reason];
    super(problem, detail, { ...options, headers: { ...options.headers, 'fsc-error-code': fsc } });
    this.name = 'GatewayRefusal';
    this.reason = reason;
  }

  get fscErrorCode(): FscErrorCode {
    return REFUSALS[this.reason].fsc;
  }
}

export const isGatewayRefusal = (value: unknown): value is GatewayRefusal => value instanceof GatewayRefusal;
