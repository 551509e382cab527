import { escapeControlCharacters, VISIBLE_TEXT_PATTERN } from './visible-text.ts';

/**
 * The one closed set of problem codes of poortwachter, each with its HTTP status (BRP API codes plus
 * the registry's own and those a client must tell apart from a like status: the notices'). Errors travel as `application/problem+json` in the BRP API form.
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
  gone: 410,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  tooManyRequests: 429,
  serverError: 500,
  serviceUnreachable: 502,
  serviceTimeout: 504,
  serviceUnavailable: 503,
  /** An inway that sends no e-mail: a citizen cannot subscribe to notices there (not a passing outage). */
  noticeUnavailable: 503,
  /** The citizen has no notice subscription at this inway. */
  noticeNotFound: 404,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

/**
 * The problem `type` of each status: the section of the HTTP RFC that defines it, the one scheme the
 * BRP API (RvIG) uses, so that a Haal Centraal client sees the types it knows. `code` says more.
 */
const PROBLEM_TYPE: Record<number, string> = {
  400: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1',
  401: 'https://datatracker.ietf.org/doc/html/rfc7235#section-3.1',
  403: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.3',
  404: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.4',
  405: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.5',
  406: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.6',
  409: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.8',
  410: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.9',
  413: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.11',
  415: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.13',
  429: 'https://datatracker.ietf.org/doc/html/rfc6585#section-4',
  500: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.6.1',
  502: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.6.3',
  503: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.6.4',
  504: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.6.5',
};

/** The problem `type` URI of a status. */
export const problemType = (status: number): string =>
  PROBLEM_TYPE[status] ?? 'https://datatracker.ietf.org/doc/html/rfc7231#section-6';

/** The `type` of an invalid parameter: the VNG validation it failed, as the BRP API names them. */
export const invalidParamType = (code: string): string =>
  `https://www.vng.nl/realisatie/api/validaties/${code.toLowerCase()}`;

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
  gone: 'Deze resource bestaat niet meer.',
  payloadTooLarge: 'Het verzoek is te groot.',
  unsupportedMediaType: 'Het contenttype van het verzoek wordt niet ondersteund.',
  tooManyRequests: 'Te veel verzoeken.',
  serverError: 'Interne server fout.',
  serviceUnreachable: 'Bron is niet bereikbaar.',
  serviceTimeout: 'Bron reageert niet op tijd.',
  serviceUnavailable: 'Dienst is tijdelijk niet beschikbaar.',
  noticeUnavailable: 'Deze bronhouder verstuurt geen e-mail.',
  noticeNotFound: 'U krijgt van deze bronhouder geen berichten.',
};

/**
 * The patterns of the BRP API's `Foutbericht` and `InvalidParam` (its openapi.yaml, as written there:
 * a test holds them to the spec). The gateway sends every problem in them (`haalCentraalProblem`), so its own
 * titles, details and reasons are written to fit as they are.
 */
export const PROBLEM_PATTERNS = {
  title: /^[a-zA-Z0-9À-ž .-]{1,80}$/,
  detail: /^[a-zA-Z0-9À-ž .\-(),]{1,200}$/,
  name: /^[a-zA-Z0-9._]{1,30}$/,
  code: /^[a-zA-Z0-9]{1,25}$/,
  reason: /^[a-zA-Z0-9., ]{1,80}$/,
} as const;

/**
 * A reason that names data (a field path, an organisation) when it fits the BRP API's reason pattern
 * as it is, else `general`, which says the same without the data and is written to fit.
 *
 * @example
 * reasonOr(`Niet geautoriseerd voor veld ${path}.`, 'Niet geautoriseerd voor dit veld.');
 */
export const reasonOr = (specific: string, general: string): string =>
  PROBLEM_PATTERNS.reason.test(specific) ? specific : general;

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
 *   invalidParams: [{ name: 'oin', code: 'pattern', reason: 'Een OIN bestaat uit precies 20 cijfers.' }],
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
      type: problemType(this.status),
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

/** What an ajv error carries that the reasons below need (a structural type: no ajv import here). */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  /** Set when the error is about a member's name (`propertyNames`), not its value. */
  readonly propertyName?: string;
}

/**
 * The reasons of the BRP API and the VNG API design rules, in Dutch, per JSON Schema keyword, with
 * the code each is reported under (an unknown member is `unknownParam`, as in the BRP API).
 */
const SCHEMA_REASONS: Record<string, (e: SchemaError) => { code: string; reason: string }> = {
  required: () => ({ code: 'required', reason: 'Parameter is verplicht.' }),
  additionalProperties: () => ({ code: 'unknownParam', reason: 'Parameter is niet verwacht.' }),
  // The pattern itself is in the published schema: its characters would not fit the BRP API's reason.
  pattern: (e) => ({
    code: 'pattern',
    reason:
      e.params.pattern === VISIBLE_TEXT_PATTERN
        ? 'Tekst met een stuurteken, zoals een regeleinde, tab of escape, mag niet.'
        : 'Waarde voldoet niet aan het patroon uit het schema.',
  }),
  enum: (e) => {
    const listed = `Kies een van deze waarden, ${(e.params.allowedValues as unknown[]).join(', ')}.`;
    return { code: 'enum', reason: reasonOr(listed, 'Kies een van de waarden uit het schema.') };
  },
  const: () => ({ code: 'value', reason: 'Waarde is niet toegestaan.' }),
  format: (e) => ({
    code: e.params.format === 'date' ? 'date' : String(e.params.format),
    reason:
      e.params.format === 'date'
        ? 'Waarde is geen geldige datum.'
        : e.params.format === 'date-time'
          ? 'Waarde is geen geldige datum en tijd.'
          : `Waarde is geen geldige ${String(e.params.format)}.`,
  }),
  type: (e) => {
    const type = String(e.params.type).split(',')[0];
    const reasons: Record<string, [string, string]> = {
      integer: ['integer', 'Waarde is geen geldig getal.'],
      number: ['number', 'Waarde is geen geldig getal.'],
      boolean: ['boolean', 'Waarde is geen boolean.'],
      string: ['string', 'Waarde is geen tekst.'],
      array: ['array', 'Parameter is geen array.'],
      object: ['object', 'Waarde is geen object.'],
    };
    const [code, reason] = reasons[type ?? ''] ?? ['type', `Waarde moet van het type ${type} zijn.`];
    return { code, reason };
  },
  minItems: (e) => ({ code: 'minItems', reason: `Array bevat minder dan ${String(e.params.limit)} items.` }),
  maxItems: (e) => ({ code: 'maxItems', reason: `Array bevat meer dan ${String(e.params.limit)} items.` }),
  uniqueItems: () => ({ code: 'uniqueItems', reason: 'Array bevat dubbele waarden.' }),
  minimum: (e) => ({ code: 'minimum', reason: `Waarde is lager dan minimum ${String(e.params.limit)}.` }),
  maximum: (e) => ({ code: 'maximum', reason: `Waarde is hoger dan maximum ${String(e.params.limit)}.` }),
  minLength: (e) => ({ code: 'minLength', reason: `Waarde is korter dan ${String(e.params.limit)} tekens.` }),
  maxLength: (e) => ({ code: 'maxLength', reason: `Waarde is langer dan ${String(e.params.limit)} tekens.` }),
};

/**
 * `/jwk/d` → `jwk.d`, `/fields/2` → `fields[2]`; a missing or unknown member, or one whose name is
 * refused, is named itself.
 */
function schemaParamName(error: SchemaError): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  // A member's name is text from the request: it is named visibly, never with a control character in it.
  return (
    segments
      .map(escapeControlCharacters)
      .reduce((name, s) => (/^\d+$/.test(s) ? `${name}[${s}]` : name ? `${name}.${s}` : s), '') || 'body'
  );
}

/**
 * Schema errors (ajv's) as invalid parameters with Dutch reasons, each (name, code) once; the
 * wrappers of combinators (anyOf, if) that only repeat their branches are left out.
 *
 * @example
 * if (!validate(body)) throw new ProblemError('paramsValidation', 'De body klopt niet.', { invalidParams: schemaInvalidParams(validate.errors ?? []) });
 */
export function schemaInvalidParams(errors: readonly SchemaError[]): InvalidParam[] {
  const seen = new Set<string>();
  const params: InvalidParam[] = [];
  for (const error of errors) {
    if (['anyOf', 'oneOf', 'allOf', 'if', 'not', 'propertyNames'].includes(error.keyword)) continue;
    const { code, reason } = SCHEMA_REASONS[error.keyword]?.(error) ?? {
      code: error.keyword,
      reason: 'Waarde is ongeldig.',
    };
    const name = schemaParamName(error);
    const key = `${name}\n${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    params.push({ type: invalidParamType(code), name, code, reason });
  }
  return params;
}
