import {
  context,
  type Histogram,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * Wraps a server's fetch handler in one OpenTelemetry server span per request (a child of the
 * caller's `traceparent`) and counts it in `http.server.request.duration`, by method and status. For
 * servers whose spans say no more than that (the registry, the development identity provider); the
 * gateway has its own, per stage. The span is named by the method alone (the OpenTelemetry convention
 * while the route is not known) until the app's `nameServerSpan` adds its route: never by the path,
 * whose values may be a BSN.
 */
export function withServerSpans<A extends unknown[]>(
  name: string,
  fetch: (request: Request, ...rest: A) => Response | Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  const tracer = trace.getTracer(name);
  let histogram: { provider: unknown; instrument: Histogram } | undefined;
  const duration = () => {
    const provider = metrics.getMeterProvider();
    if (histogram?.provider !== provider) {
      histogram = {
        provider,
        instrument: provider.getMeter(name).createHistogram('http.server.request.duration', { unit: 's' }),
      };
    }
    return histogram.instrument;
  };
  return async (request, ...rest) => {
    const started = performance.now();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER }, parent);
    let status = 500;
    try {
      const response = await context.with(trace.setSpan(parent, span), () => fetch(request, ...rest));
      status = response.status;
      return response;
    } finally {
      span.setAttribute('http.request.method', request.method);
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      duration().record((performance.now() - started) / 1000, {
        'http.request.method': request.method,
        'http.response.status_code': status,
      });
    }
  };
}
