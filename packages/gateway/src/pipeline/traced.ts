import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { GatewayEnv } from './context.ts';
import { gatewayTracer } from './tracer.ts';

/** Runs `fn` inside the OpenTelemetry span `gateway.<name>` (a no-op until the server entry wires an SDK). */
export async function inSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T>,
  options: { kind?: SpanKind } = {},
): Promise<T> {
  return gatewayTracer().startActiveSpan(
    `gateway.${name}`,
    { kind: options.kind ?? SpanKind.INTERNAL },
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * A pipeline stage run inside its span. The span covers the stage itself, not the stages after it:
 * `next()` is called after the span has ended.
 */
export const traced = <E extends GatewayEnv = GatewayEnv>(
  name: string,
  stage: MiddlewareHandler<E>,
  options: { kind?: SpanKind } = {},
) =>
  createMiddleware<E>(async (c, next) => {
    let proceed = false;
    await inSpan(
      name,
      async () => {
        await stage(c, async () => {
          proceed = true;
        });
      },
      options,
    );
    if (proceed) await next();
  });
