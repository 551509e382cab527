import { type Logger, requestRoute } from '@poortwachter/operations';
import { type GatewayRefusal, isGatewayRefusal, type ProblemError } from '@poortwachter/protocol';
import type { Context } from 'hono';

/**
 * One operational log line per refusal: what an operator needs to see a pattern (reason, status, FSC
 * code, the caller's OIN when its signature verified, the names of invalid parameters) and the ids
 * that lead to the trace and the log. Never the problem's text, which may repeat what was sent, and
 * never the path: the route it matched (a path may hold a BSN, or characters that start a new line).
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
    invalid_params: refusal.invalidParams?.map((p) => p.name),
    caller_oin: (c.get('caller') as { organisation?: { oin: string } } | undefined)?.organisation?.oin,
    transaction_id: c.get('transactionId'),
    trace_id: c.get('trace')?.traceId,
    // A technical failure's own cause (a TLS error, SQLITE_FULL): codes and messages of our parts only.
    ...(refusal.status >= 500 && refusal.cause ? { cause: describeCause(refusal.cause) } : {}),
  };
  if (refusal.status >= 500) logger.warn(fields, `refused ${c.req.method} ${route}: ${reason}`);
  else logger.info(fields, `refused ${c.req.method} ${route}: ${reason}`);
}

function describeCause(cause: unknown): { code?: string; message: string } {
  const error = cause as { code?: unknown; message?: unknown; cause?: unknown };
  const inner = error?.cause as { code?: unknown; message?: unknown } | undefined;
  const code = error?.code ?? inner?.code;
  const message = [error?.message, inner?.message].filter((m) => typeof m === 'string').join(': ');
  return { ...(typeof code === 'string' ? { code } : {}), message: message.slice(0, 300) };
}
