import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';

let cached: { provider: TracerProvider; tracer: Tracer } | undefined;

/**
 * The gateway's tracer, from the tracer provider registered now. Not kept from import time: the
 * OpenTelemetry SDK registers itself through the API's CommonJS build, and a tracer taken earlier
 * through its ES module build would stay a no-op.
 */
export function gatewayTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer('@poortwachter/gateway') };
  return cached.tracer;
}
