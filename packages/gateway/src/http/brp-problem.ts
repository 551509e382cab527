import {
  type InvalidParam,
  invalidParamType,
  type ProblemDetails,
  type ProblemError,
  problemType,
} from '@poortwachter/protocol';

/**
 * The BRP API's `Foutbericht` and `BadRequestFoutbericht` (openapi.yaml) allow only these characters
 * and lengths; every problem the gateway sends is fitted to them here, in one place, so that a client
 * generated from the spec (or one that validates answers against it) accepts every error we send.
 */
const LIMITS = {
  title: { allowed: /[^a-zA-Z0-9À-ž .-]/g, max: 80 },
  detail: { allowed: /[^a-zA-Z0-9À-ž .\-(),]/g, max: 200 },
  name: { allowed: /[^a-zA-Z0-9._]/g, max: 30 },
  code: { allowed: /[^a-zA-Z0-9]/g, max: 25 },
  reason: { allowed: /[^a-zA-Z0-9., ]/g, max: 80 },
} as const;

/**
 * Fits a text to one of the spec's patterns: `fields[2]` becomes `fields.2`, a colon or semicolon a
 * comma, accents go where they are not allowed, other characters become spaces, and a text that is
 * too long is cut at a word and ends with a full stop.
 */
export function fitText(text: string, kind: keyof typeof LIMITS): string {
  const { allowed, max } = LIMITS[kind];
  let fitted = text.replace(/\[(\d+)\]/g, '.$1').replace(/[:;]/g, ',');
  if (kind === 'reason' || kind === 'name' || kind === 'code') fitted = fitted.normalize('NFD');
  fitted = fitted
    .replace(/…/g, '...')
    .replace(allowed, kind === 'name' || kind === 'code' ? '' : ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ ([.,])/g, '$1')
    .trim();
  if (fitted.length > max) {
    if (kind === 'name' || kind === 'code') return fitted.slice(0, max);
    const cut = fitted.slice(0, max - 1);
    fitted = `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[,. ]+$/, '')}.`;
  }
  return fitted || (kind === 'name' ? 'body' : kind === 'code' ? 'invalid' : '.');
}

const fitParam = (p: InvalidParam): InvalidParam => {
  const code = fitText(p.code, 'code');
  return {
    type: invalidParamType(code),
    name: fitText(p.name, 'name'),
    code,
    reason: fitText(p.reason, 'reason'),
  };
};

/**
 * The problem+json body of a refusal as the BRP API writes it: `type` the HTTP RFC section of the
 * status, `instance` the absolute URI that was called (at the gateway's public URL), Dutch `title`,
 * `detail` and reasons, and every member fitted to the spec's patterns.
 *
 * @example
 * brpProblem(new GatewayRefusal('unauthorizedField', 'Niet geautoriseerd voor 2 velden.'), 'https://brp.example/personen');
 */
export function brpProblem(error: ProblemError, instance: string): ProblemDetails {
  const problem = error.toProblem();
  return {
    type: problemType(problem.status),
    title: fitText(problem.title, 'title'),
    status: problem.status,
    detail: fitText(problem.detail ?? problem.title, 'detail'),
    instance,
    code: problem.code,
    ...(problem.invalidParams ? { invalidParams: problem.invalidParams.map(fitParam) } : {}),
  };
}
