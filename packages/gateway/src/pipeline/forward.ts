import { formatTraceparent } from '@poortwachter/sdk';
import { GatewayRefusal } from '../errors.ts';
import type { Grant, RequestTrace } from './context.ts';
import { fetchSourceClient, nodeSourceClient, SourceCallError, type SourceResponse } from './source-client.ts';

export interface SourceOptions {
  /** Base URL of the source (`http://localhost:8301`); the gateway posts to `<url>/personen`. */
  readonly url: string;
  /** Give up on the source after this many ms (default 5000): 504. */
  readonly timeoutMs?: number;
  /** Largest answer accepted from the source, in bytes (default 16 MiB); a larger one is a 502. */
  readonly maxResponseBytes?: number;
  /** Call the source through this `fetch` instead of the gateway's keep-alive HTTP client (tests). */
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

/** Sends an authorised query to the source; one per gateway, so its connections are reused. */
export type SourceForwarder = (
  grant: Grant,
  context: { trace: RequestTrace; transactionId: string },
) => Promise<SourceAnswer>;

/**
 * Sends the authorised query to the source with a timeout. The fields are the caller's, plus the
 * data-subject id paths (so every released person can be logged); minimisation removes the extras.
 * A source that is down, slow, answers garbage or too much is refused as 502/504; nothing is released.
 */
export function createSourceForwarder(source: SourceOptions): SourceForwarder {
  const post = source.fetch ? fetchSourceClient(source.fetch) : nodeSourceClient();
  const url = `${source.url.replace(/\/+$/, '')}/personen`;
  const timeoutMs = source.timeoutMs ?? 5000;
  const maxResponseBytes = source.maxResponseBytes ?? 16 * 1024 * 1024;
  return async (grant, context) => {
    const fields = [...new Set([...grant.query.fields, ...subjectFields(grant.service.dataSubjectPaths)])];
    let res: SourceResponse;
    try {
      res = await post({
        url,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          traceparent: formatTraceparent(context.trace.traceId, context.trace.spanId),
          'fsc-transaction-id': context.transactionId,
        },
        body: JSON.stringify({ ...grant.query, fields }),
        timeoutMs,
        maxResponseBytes,
      });
    } catch (cause) {
      if (cause instanceof SourceCallError && cause.kind === 'timeout') {
        throw new GatewayRefusal('sourceTimeout', `The source did not answer within ${timeoutMs} ms.`, { cause });
      }
      const detail = cause instanceof SourceCallError && cause.kind === 'tooLarge' ? cause.message : undefined;
      throw new GatewayRefusal('sourceUnreachable', detail ?? 'The source cannot be reached.', { cause });
    }
    return readAnswer(res);
  };
}

function readAnswer(res: SourceResponse): SourceAnswer {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch (cause) {
    throw new GatewayRefusal('sourceUnreachable', `The source answered ${res.status} with a body that is not JSON.`, {
      cause,
    });
  }
  if (res.status >= 400 && res.status < 500 && body && typeof body === 'object' && !Array.isArray(body)) {
    return { kind: 'refused', status: res.status, problem: body as Record<string, unknown> };
  }
  const personen = (body as { personen?: unknown } | null)?.personen;
  if (res.status !== 200 || !Array.isArray(personen) || !personen.every((p) => p && typeof p === 'object')) {
    throw new GatewayRefusal('sourceUnreachable', `The source answered ${res.status} without a list of personen.`);
  }
  return { kind: 'personen', body: body as { type: string; personen: Record<string, unknown>[] } };
}
