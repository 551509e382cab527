/**
 * The one closed set of problem codes of poortwachter, each with its HTTP status (BRP API codes plus
 * the registry's own). Errors travel as `application/problem+json` in the BRP API form.
 */
export const PROBLEM_STATUS = {
  paramsValidation: 400,
  tooManyResults: 400,
  authentication: 401,
  unauthorized: 403,
  unauthorizedField: 403,
  unauthorizedParameter: 403,
  notFound: 404,
  methodNotAllowed: 405,
  notAcceptable: 406,
  conflict: 409,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  serverError: 500,
  serviceUnreachable: 502,
  serviceTimeout: 504,
  serviceUnavailable: 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

const TITLES: Record<ProblemCode, string> = {
  paramsValidation: 'Een of meerdere parameters zijn niet correct.',
  tooManyResults: 'Te veel zoekresultaten.',
  authentication: 'Niet correct geauthenticeerd.',
  unauthorized: 'U bent niet geautoriseerd voor deze operatie.',
  unauthorizedField: 'U bent niet geautoriseerd voor een of meer opgevraagde velden.',
  unauthorizedParameter: 'U bent niet geautoriseerd voor een of meer gebruikte parameters.',
  notFound: 'Opgevraagde resource bestaat niet.',
  methodNotAllowed: 'Deze methode is niet toegestaan.',
  notAcceptable: 'Gevraagde contenttype wordt niet ondersteund.',
  conflict: 'De gegevens zijn in strijd met wat al is vastgelegd.',
  payloadTooLarge: 'Het verzoek is te groot.',
  unsupportedMediaType: 'Het contenttype van het verzoek wordt niet ondersteund.',
  serverError: 'Interne server fout.',
  serviceUnreachable: 'Bron is niet bereikbaar.',
  serviceTimeout: 'Bron reageert niet op tijd.',
  serviceUnavailable: 'Dienst is tijdelijk niet beschikbaar.',
};

/** One wrong parameter, named by its path in the request (`jwk.d`, `fields[2]`, `afnemerOin`). */
export interface InvalidParam {
  readonly type?: string;
  readonly name: string;
  readonly code: string;
  readonly reason: string;
}

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: ProblemCode;
  readonly invalidParams?: readonly InvalidParam[];
}

/**
 * An error that knows its problem code; the HTTP edge turns it into problem+json.
 *
 * @example
 * throw new ProblemError('paramsValidation', 'OIN must be 20 digits', {
 *   invalidParams: [{ name: 'oin', code: 'pattern', reason: 'Waarde voldoet niet aan patroon ^[0-9]{20}$.' }],
 * });
 */
export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly invalidParams: readonly InvalidParam[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { invalidParams?: readonly InvalidParam[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.code = code;
    this.invalidParams = options.invalidParams;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return PROBLEM_STATUS[this.code];
  }

  toProblem(instance?: string): ProblemDetails {
    return {
      type: `https://poortwachter.dev/problems/${this.code}`,
      title: TITLES[this.code],
      status: this.status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
      code: this.code,
      ...(this.invalidParams && this.invalidParams.length > 0 ? { invalidParams: this.invalidParams } : {}),
    };
  }
}

export const isProblemError = (value: unknown): value is ProblemError => value instanceof ProblemError;

/** A 400 for one named field. */
export const invalidField = (name: string, reason: string, code = 'invalid') =>
  new ProblemError('paramsValidation', reason, { invalidParams: [{ name, code, reason }] });
