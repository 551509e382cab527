import {
  type InvalidParam,
  invalidParamType,
  PROBLEM_PATTERNS,
  type ProblemDetails,
  type ProblemError,
  problemType,
} from '@poortwachter/protocol';

export type ProblemMember = keyof typeof PROBLEM_PATTERNS;

/**
 * What each member of the BRP API's problem allows (`PROBLEM_PATTERNS`), as a set of characters, for
 * the last resort of `fitText`.
 */
const ALLOWED: Record<ProblemMember, RegExp> = {
  title: /[^a-zA-Z0-9À-ž .-]/g,
  detail: /[^a-zA-Z0-9À-ž .\-(),]/g,
  name: /[^a-zA-Z0-9._]/g,
  code: /[^a-zA-Z0-9]/g,
  reason: /[^a-zA-Z0-9., ]/g,
};
const MAX: Record<ProblemMember, number> = { title: 80, detail: 200, name: 30, code: 25, reason: 80 };

/**
 * A text as the member's pattern allows it. A text that fits is sent as it is (`fitted: false`): every
 * title and reason of the gateway is written so, and every detail but one that repeats data (an
 * organisation's name, a signature error). A parameter's name follows the spec's form
 * (`fields[2]` is `fields.2`, `Fsc-Transaction-Id` is `FscTransactionId`; a name the caller made up
 * loses what the pattern does not allow). For any other text that does not fit, the last resort keeps
 * what it can: accents go where they are not allowed, a colon or semicolon becomes a comma, any other
 * character a space, and a text that is too long is cut at a word; `fitted: true` then says that a
 * text of ours needs rewriting (the caller logs it). `nameMaxLength` lets a name of another API family
 * (`ProblemLimits`) be longer than the BRP's 30 characters.
 *
 * @example
 * fitText('Geef een getal van 1 tot en met 100.', 'reason'); // { text: 'Geef een getal …', fitted: false }
 * fitText('fields[2]', 'name'); // { text: 'fields.2', fitted: false }
 */
export function fitText(
  text: string,
  member: ProblemMember,
  nameMaxLength = MAX.name,
): { text: string; fitted: boolean } {
  if (PROBLEM_PATTERNS[member].test(text)) return { text, fitted: false };
  const max = member === 'name' ? nameMaxLength : MAX[member];
  if (member === 'name' && text.length <= max && /^[a-zA-Z0-9._]+$/.test(text)) return { text, fitted: false };
  const identifier = member === 'name' || member === 'code';
  if (identifier) {
    const fitted = text
      .replace(/\[(\d+)\]/g, '.$1')
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(ALLOWED[member], '')
      .slice(0, max);
    return { text: fitted || (member === 'name' ? 'body' : 'invalid'), fitted: false };
  }
  let fitted = text.replace(/\[(\d+)\]/g, '.$1').replace(/…/g, '...');
  if (member === 'reason') fitted = fitted.normalize('NFD').replace(/\p{M}/gu, '');
  fitted = fitted
    .replace(/[:;]/g, ',')
    .replace(ALLOWED[member], ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ ([.,])/g, '$1')
    .trim();
  if (fitted.length > MAX[member]) {
    const cut = fitted.slice(0, MAX[member] - 1);
    fitted = `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[,. ]+$/, '')}.`;
  }
  return { text: fitted || '.', fitted: true };
}

/**
 * What differs from the BRP API's problem in another API family: Haal Centraal HAL APIs (BRK bevragen)
 * set no length on a parameter's name, and their own names are longer than the BRP's 30
 * (`kadastraalOnroerendeZaakIdentificatie`), so a refusal must name them whole.
 */
export interface ProblemLimits {
  readonly nameMaxLength?: number;
}

/** Told when a title, detail or reason of ours did not fit its pattern (never with its text, which may hold what was sent). */
export type OnFitted = (what: { member: ProblemMember; code: string; paramCode?: string }) => void;

/**
 * The problem+json body of a refusal as the BRP API writes it: `type` the HTTP RFC section of the
 * status, `instance` the absolute URI that was called (at the gateway's public URL), Dutch `title`,
 * `detail` and reasons, every member in the spec's pattern. `onFitted` hears of every text of ours that
 * had to be fitted (a text to rewrite: the gateway logs it).
 *
 * @example
 * haalCentraalProblem(new GatewayRefusal('unauthorizedField', 'Niet geautoriseerd voor 2 velden.'), 'https://brp.example/personen');
 */
export function haalCentraalProblem(
  error: ProblemError,
  instance: string,
  onFitted?: OnFitted,
  limits: ProblemLimits = {},
): ProblemDetails {
  const problem = error.toProblem();
  const fit = (text: string, member: ProblemMember, paramCode?: string) => {
    const result = fitText(text, member, limits.nameMaxLength);
    if (result.fitted) onFitted?.({ member, code: problem.code, ...(paramCode === undefined ? {} : { paramCode }) });
    return result.text;
  };
  const fitParam = (p: InvalidParam): InvalidParam => {
    const code = fit(p.code, 'code');
    return { type: invalidParamType(code), name: fit(p.name, 'name'), code, reason: fit(p.reason, 'reason', code) };
  };
  return {
    type: problemType(problem.status),
    title: fit(problem.title, 'title'),
    status: problem.status,
    detail: fit(problem.detail ?? problem.title, 'detail'),
    instance,
    code: problem.code,
    ...(problem.invalidParams ? { invalidParams: problem.invalidParams.map(fitParam) } : {}),
  };
}
