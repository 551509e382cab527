import { trace } from '@opentelemetry/api';
import { GatewayRefusal, newSpanId } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import { createBrpForwarder } from '../profiles/brp/brp-source.ts';
import { createHalForwarder } from '../profiles/hal/hal-source.ts';
import type { GatewayEnv, Grant, RequestTrace, SourceAnswer } from './context.ts';
import { fetchSourceClient, nodeSourceClient, SourceCallError, type SourceTls } from './source-client.ts';
import { ownSpanId } from './trace-context.ts';

export interface SourceOptions {
  /** Base URL of the source (`http://localhost:8301`); a BRP gateway posts to `<url>/personen`, a described service's calls its operations' paths below it. */
  readonly url: string;
  /** Give up on the source after this many ms (default 5000): 504. */
  readonly timeoutMs?: number;
  /** Largest answer accepted from the source, in bytes (default 16 MiB); a larger one is a 502. */
  readonly maxResponseBytes?: number;
  /** For an `https:` source: the CA bundle to trust and the client certificate for mutual TLS. */
  readonly tls?: SourceTls;
  /** Call the source through this `fetch` instead of the gateway's keep-alive HTTP client (tests). */
  readonly fetch?: typeof globalThis.fetch;
}

/** Sends an authorised query to the source; one per gateway, so its connections are reused. */
export type SourceForwarder = (
  grant: Grant,
  context: { trace: RequestTrace; transactionId: string; spanId: string },
) => Promise<SourceAnswer>;

/**
 * Sends the authorised query to the source with a timeout, by the service's profile (`profiles/`). A
 * source that is down, slow, answers garbage or too much is refused as 502/504; nothing is released.
 */
export function createSourceForwarder(source: SourceOptions): SourceForwarder {
  const post = source.fetch ? fetchSourceClient(source.fetch) : nodeSourceClient(source.tls ? { tls: source.tls } : {});
  const timeoutMs = source.timeoutMs ?? 5000;
  const maxResponseBytes = source.maxResponseBytes ?? 16 * 1024 * 1024;
  const failed = (cause: unknown) => {
    if (cause instanceof SourceCallError && cause.kind === 'timeout') {
      return new GatewayRefusal('sourceTimeout', `De bron antwoordde niet binnen ${timeoutMs} ms.`, { cause });
    }
    const detail =
      cause instanceof SourceCallError && cause.kind === 'tooLarge'
        ? `Het antwoord van de bron is groter dan ${maxResponseBytes} bytes.`
        : 'De bron is niet bereikbaar.';
    return new GatewayRefusal('sourceUnreachable', detail, { cause });
  };
  const options = { post, url: source.url, timeoutMs, maxResponseBytes, failed };
  const hal = createHalForwarder(options);
  const brp = createBrpForwarder(options);
  // The service's profile: a described call (`grant.call`) or the BRP's query.
  return async (grant, context) =>
    grant.call ? { type: grant.searchType, personen: [], hal: await hal(grant, context) } : brp(grant, context);
}

/** The stage that sends the authorised query to the source and keeps its (checked) answer for `minimise`. */
export function forward(source: SourceOptions) {
  const send = createSourceForwarder(source);
  const sourceHost = new URL(source.url).host;
  return createMiddleware<GatewayEnv>(async function forward(c, next) {
    const grant = c.get('grant');
    if (!grant) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const requestTrace = c.get('trace');
    const active = trace.getActiveSpan();
    const spanId = (active && ownSpanId(active, requestTrace.spanId)) ?? newSpanId();
    active?.setAttribute('server.address', sourceHost);
    c.set('sourceSpanId', spanId);
    c.set('answer', await send(grant, { trace: requestTrace, transactionId: c.get('transactionId'), spanId }));
    await next();
  });
}
