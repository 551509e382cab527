/** One error in one parameter, in the spec's `InvalidParams` shape. */
export interface InvalidParam {
  readonly type: string;
  readonly name: string;
  readonly code: string;
  readonly reason: string;
}

/** The problems this source answers, each with its status and the spec's title. */
export const PROBLEMS = {
  paramsValidation: [400, 'Een of meerdere parameters zijn niet correct.'],
  paramsRequired: [400, 'Ten minste één parameter moet worden opgegeven.'],
  paramsCombination: [400, 'De combinatie van opgegeven parameters is niet toegestaan.'],
  notFound: [404, 'Opgevraagde resource bestaat niet.'],
  notAcceptable: [406, 'Gevraagde contenttype wordt niet ondersteund.'],
  unsupportedMediaType: [415, 'Media Type wordt niet ondersteund.'],
  serverError: [500, 'Interne server fout.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemCode = keyof typeof PROBLEMS;

const RFC7231: Record<number, string> = { 400: '6.5.1', 404: '6.5.4', 406: '6.5.6', 415: '6.5.13', 500: '6.6.1' };

/**
 * A refusal in the spec's problem format (`Foutbericht`, with `invalidParams` a `BadRequestFoutbericht`);
 * thrown by a handler, answered by the app's error handler.
 */
export class BrkProblem extends Error {
  override readonly name = 'BrkProblem';
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly invalidParams?: readonly InvalidParam[],
  ) {
    super(detail);
  }

  /** The `application/problem+json` answer; `instance` is the absolute URL the client asked for. */
  toResponse(instance: string): Response {
    const [status, title] = PROBLEMS[this.code];
    const body = {
      type: `https://datatracker.ietf.org/doc/html/rfc7231#section-${RFC7231[status]}`,
      title,
      status,
      detail: this.detail,
      instance,
      code: this.code,
      ...(this.invalidParams ? { invalidParams: this.invalidParams } : {}),
    };
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/problem+json', 'api-version': '2.0.0' },
    });
  }
}

/**
 * One entry of `invalidParams`, its `type` the VNG validation page of its code.
 *
 * @example
 * invalidParam('fields', 'fields', 'Parameter bevat een niet bestaande veldnaam: koopsom.bedrag.');
 */
export const invalidParam = (name: string, code: string, reason: string): InvalidParam => ({
  type: `https://www.vng.nl/realisatie/api/validaties/${code.toLowerCase()}`,
  name,
  code,
  reason,
});
