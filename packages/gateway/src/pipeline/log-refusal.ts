import { type Logger, requestRoute } from '@poortwachter/operations';
import { type GatewayRefusal, type InvalidParam, isGatewayRefusal, type ProblemError } from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { OnFitted } from '../profiles/haal-centraal-problem.ts';

/**
 * The code under which every check reports a parameter the endpoint does not know: its name is the
 * caller's text (a query parameter, a body member), so it is never logged.
 */
const CALLERS_NAME = 'unknownParam';

/**
 * The form of a name the gateway gives a parameter it knows: words joined by `.`, `_` or `-`, each
 * array index in brackets (`fields[2]`, `dpl.core.data_subject_id`, `Fsc-Transaction-Id`). Nothing
 * else (a digit run that could be a BSN, a control character) reaches a log line, whatever a check
 * put in `name`.
 */
const KNOWN_NAME = /^[A-Za-z][A-Za-z_-]{0,60}(?:\[\d{1,3}\])*(?:\.[A-Za-z][A-Za-z_-]{0,60}(?:\[\d{1,3}\])*){0,8}$/;

/**
 * How an invalid parameter appears in the operational log: by its name when the endpoint knows the
 * parameter (`van`, `fields[2]`), by its code when the caller chose the name (an unknown parameter is
 * `unknownParam`: `?999990007=1` must not put a BSN in the log, nor `%0A%1B[2J` a control sequence).
 *
 * @example
 * loggedParamName({ name: 'van', code: 'date', reason: '…' }); // 'van'
 * loggedParamName({ name: '999990007', code: 'unknownParam', reason: '…' }); // 'unknownParam'
 */
export function loggedParamName(param: InvalidParam): string {
  return param.code !== CALLERS_NAME && KNOWN_NAME.test(param.name) ? param.name : param.code;
}

/**
 * One operational log line per refusal: what an operator needs to see a pattern (reason, status, FSC
 * code, the caller's OIN when its signature verified, the invalid parameters as `loggedParamName`
 * gives them) and the ids that lead to the trace and the log. Never the problem's text, which may repeat
 * what was sent, and never the path: the route it matched (a path may hold a BSN, or characters that
 * start a new line).
 */
export function logRefusal(logger: Logger, c: Context, refusal: GatewayRefusal | ProblemError, reason: string) {
  const route = requestRoute(c);
  const fields = {
    event: 'refusal',
    method: c.req.method,
    route,
    status: refusal.status,
    reason,
    fsc_error_code: isGatewayRefusal(refusal) ? refusal.fscErrorCode : undefined,
    invalid_params: refusal.invalidParams?.map(loggedParamName),
    caller_oin: (c.get('caller') as { organisation?: { oin: string } } | undefined)?.organisation?.oin,
    transaction_id: c.get('transactionId'),
    trace_id: c.get('trace')?.traceId,
    // A technical failure's own cause (a TLS error, SQLITE_FULL): codes and messages of our parts only.
    ...(refusal.status >= 500 && refusal.cause ? { cause: describeCause(refusal.cause) } : {}),
  };
  if (refusal.status >= 500) logger.warn(fields, `refused ${c.req.method} ${route}: ${reason}`);
  else logger.info(fields, `refused ${c.req.method} ${route}: ${reason}`);
}

/**
 * Logs, once per kind, that a text of ours did not fit the BRP API's pattern for its member and was
 * fitted (`haalCentraalProblem`'s `onFitted`): a text to rewrite. Only codes are logged, never the text.
 */
export function logFittedText(logger: Logger): OnFitted {
  const seen = new Set<string>();
  return ({ member, code, paramCode }) => {
    const key = `${member} ${code} ${paramCode ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    logger.warn(
      { event: 'problem_text_fitted', member, problem_code: code, ...(paramCode ? { param_code: paramCode } : {}) },
      `a ${member} of a ${code} problem did not fit the BRP API's pattern: characters were replaced; rewrite the text`,
    );
  };
}

function describeCause(cause: unknown): { code?: string; message: string } {
  const error = cause as { code?: unknown; message?: unknown; cause?: unknown };
  const inner = error?.cause as { code?: unknown; message?: unknown } | undefined;
  const code = error?.code ?? inner?.code;
  const message = [error?.message, inner?.message].filter((m) => typeof m === 'string').join(': ');
  return { ...(typeof code === 'string' ? { code } : {}), message: message.slice(0, 300) };
}
