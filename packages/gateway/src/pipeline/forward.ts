import { formatTraceparent } from '@poortwachter/sdk';
import { GatewayRefusal } from '../errors.ts';
import type { Grant, RequestTrace } from './context.ts';

export interface SourceOptions {
  /** Base URL of the source (`http://localhost:8301`); the gateway posts to `<url>/personen`. */
  readonly url: string;
  /** Give up on the source after this many ms (default 5000): 504. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof globalThis.fetch;
}

/** What the source answered: personen to release, or a refusal of its own (no personal data). */
export type SourceAnswer =
  | { readonly kind: 'personen'; readonly body: { type: string; personen: Record<string, unknown>[] } }
  | { readonly kind: 'refused'; readonly status: number; readonly problem: Record<string, unknown> };

/** The response fields the source must include for logging, even when the caller did not ask for them. */
function subjectFields(dataSubjectPaths: readonly string[]): string[] {
  return dataSubjectPaths.map((p) => p.split('.').slice(1).join('.')).filter(Boolean);
}

/**
 * Sends the authorised query to the source with a timeout. The fields are the caller's, plus the
 * data-subject id paths (so every released person can be logged); minimisation removes the extras.
 * A source that is down, slow or answers garbage is refused as 502/504; nothing is released.
 */
export async function forwardToSource(
  source: SourceOptions,
  grant: Grant,
  context: { trace: RequestTrace; transactionId: string },
): Promise<SourceAnswer> {
  const fields = [...new Set([...grant.query.fields, ...subjectFields(grant.service.dataSubjectPaths)])];
  const timeoutMs = source.timeoutMs ?? 5000;
  // A timer that is cleared when the answer is in: AbortSignal.timeout() would keep one pending
  // timer per request for the whole timeout, thousands at a time under load.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The source timed out.', 'TimeoutError')),
    timeoutMs,
  );
  try {
    return await ask(source, grant, context, fields, controller.signal, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

async function ask(
  source: SourceOptions,
  grant: Grant,
  context: { trace: RequestTrace; transactionId: string },
  fields: string[],
  signal: AbortSignal,
  timeoutMs: number,
): Promise<SourceAnswer> {
  let res: Response;
  try {
    res = await (source.fetch ?? globalThis.fetch)(`${source.url.replace(/\/+$/, '')}/personen`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        traceparent: formatTraceparent(context.trace.traceId, context.trace.spanId),
        'fsc-transaction-id': context.transactionId,
      },
      body: JSON.stringify({ ...grant.query, fields }),
      signal,
    });
  } catch (cause) {
    const timedOut = signal.aborted || (cause instanceof Error && cause.name === 'TimeoutError');
    throw timedOut
      ? new GatewayRefusal('sourceTimeout', `The source did not answer within ${timeoutMs} ms.`, {
          cause,
        })
      : new GatewayRefusal('sourceUnreachable', 'The source cannot be reached.', { cause });
  }
  let body: unknown;
  try {
    // Reading the body is still under the timeout: a source that sends headers and then stalls is slow too.
    body = await res.json();
  } catch (cause) {
    throw new GatewayRefusal('sourceUnreachable', `The source answered ${res.status} with a body that is not JSON.`, {
      cause,
    });
  }
  if (res.status >= 400 && res.status < 500 && body && typeof body === 'object') {
    return { kind: 'refused', status: res.status, problem: body as Record<string, unknown> };
  }
  const personen = (body as { personen?: unknown } | null)?.personen;
  if (res.status !== 200 || !Array.isArray(personen) || !personen.every((p) => p && typeof p === 'object')) {
    throw new GatewayRefusal('sourceUnreachable', `The source answered ${res.status} without a list of personen.`);
  }
  return { kind: 'personen', body: body as { type: string; personen: Record<string, unknown>[] } };
}
