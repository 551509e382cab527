import {
  createTraceState,
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { requestRoute } from '@poortwachter/operations';
import { GatewayRefusal, newSpanId, newTraceId, parseTraceparent, UUID_PATTERN, uuidv7 } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { GatewayEnv, RequestTrace } from './context.ts';
import { gatewayTracer } from './tracer.ts';

export interface TraceContextOptions {
  readonly now?: () => number;
}

/** W3C Trace Context `tracestate`: at most 32 list members, 512 characters; anything else is dropped. */
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;
export function validTracestate(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value || !TRACESTATE.test(value) || value.split(',').length > 32) return undefined;
  return value;
}

/**
 * Whether `span` is an SDK span of its own: with no SDK registered the API hands back the parent's
 * context (or an invalid one), and the gateway then makes its own ids.
 */
export function ownSpanId(span: Span, notParent: string | undefined): string | undefined {
  const { spanId, traceId } = span.spanContext();
  return /^0+$/.test(traceId) || spanId === notParent ? undefined : spanId;
}

/**
 * Opens the request's server span, a child of the caller's `traceparent` (its `tracestate` kept), and
 * the ids the log uses: the same trace id, our span id, the caller's span as parent. Without an
 * OpenTelemetry SDK the span is a no-op and the ids are made here, so the log is the same either way.
 */
export function openRequestSpan(
  name: string,
  headers: { traceparent: string | undefined; tracestate: string | undefined },
  startTime: number,
) {
  const parent = parseTraceparent(headers.traceparent);
  const tracestate = validTracestate(headers.tracestate);
  const parentContext = parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.parentId,
        traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
        ...(tracestate ? { traceState: createTraceState(tracestate) } : {}),
      } satisfies SpanContext)
    : ROOT_CONTEXT;
  const span = gatewayTracer().startSpan(name, { kind: SpanKind.SERVER, startTime }, parentContext);
  const spanId = ownSpanId(span, parent?.parentId);
  const requestTrace: RequestTrace = {
    traceId: spanId ? span.spanContext().traceId : (parent?.traceId ?? newTraceId()),
    spanId: spanId ?? newSpanId(),
    parentSpanId: parent?.parentId,
    sampled: parent?.sampled ?? true,
    ...(tracestate ? { tracestate } : {}),
    startTime,
  };
  return { span, trace: requestTrace, context: trace.setSpan(parentContext, span) };
}

/** Ends a request's server span with the status of its answer. */
export function endRequestSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * Honours the caller's `traceparent` (its span becomes our parent) and `tracestate`, opens the
 * gateway's server span (every stage's span is its child), and takes the caller's `Fsc-Transaction-Id`
 * (a UUID) or makes one. Both go back on every response.
 */
export const traceContext = (options: TraceContextOptions = {}) =>
  createMiddleware<GatewayEnv>(async function traceContext(c, next) {
    const now = options.now ?? Date.now;
    const opened = openRequestSpan(
      `${c.req.method} ${requestRoute(c)}`,
      { traceparent: c.req.header('traceparent'), tracestate: c.req.header('tracestate') },
      now(),
    );
    c.set('trace', opened.trace);
    c.set('caller', undefined);
    c.set('citizen', undefined);
    c.set('grant', undefined);
    c.set('sourceSpanId', undefined);
    const given = c.req.header('fsc-transaction-id');
    c.set('transactionId', given && UUID_PATTERN.test(given) ? given.toLowerCase() : uuidv7());
    opened.span.setAttribute('poortwachter.fsc_transaction_id', c.get('transactionId'));
    try {
      await otelContext.with(opened.context, async () => {
        if (given !== undefined && !UUID_PATTERN.test(given)) {
          throw new GatewayRefusal(
            'invalidRequest',
            'De header Fsc-Transaction-Id moet een UUID zijn (bij voorkeur versie 7).',
            {
              invalidParams: [{ name: 'Fsc-Transaction-Id', code: 'uuid', reason: 'Waarde is geen UUID.' }],
            },
          );
        }
        await next();
      });
    } finally {
      endRequestSpan(opened.span, c.res.status);
    }
  });
