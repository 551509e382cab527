import { GatewayRefusal, newSpanId, newTraceId, parseTraceparent, UUID_PATTERN, uuidv7 } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { GatewayEnv } from './context.ts';

export interface TraceContextOptions {
  readonly now?: () => number;
}

/**
 * Honours the caller's `traceparent` (its span becomes our parent), opens the gateway's span, and
 * takes the caller's `Fsc-Transaction-Id` (a UUID) or makes one. Both go back on every response.
 */
export const traceContext = (options: TraceContextOptions = {}) =>
  createMiddleware<GatewayEnv>(async function traceContext(c, next) {
    const now = options.now ?? Date.now;
    const parent = parseTraceparent(c.req.header('traceparent'));
    c.set('trace', {
      traceId: parent?.traceId ?? newTraceId(),
      spanId: newSpanId(),
      parentSpanId: parent?.parentId,
      startTime: now(),
    });
    c.set('caller', undefined);
    c.set('grant', undefined);
    const given = c.req.header('fsc-transaction-id');
    c.set('transactionId', given && UUID_PATTERN.test(given) ? given.toLowerCase() : uuidv7());
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
