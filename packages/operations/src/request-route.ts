import { trace } from '@opentelemetry/api';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';

/** What a request that matched no route of the app is logged as: never its path. */
export const UNMATCHED_ROUTE = '(no route)';

/**
 * The route a request matched, as the code registered it (`/inzage/v1/verwerkingen/:id/bewijs`,
 * `/:serviceId/personen`), for log lines and span names: a path's values (a BSN, an id, characters
 * that would start a new log line) never reach the operational log. Middleware registered for every
 * path (`app.use('*')`, `/admin/v1/*`) is not a route; of the others the first registered is the one
 * named; a request that matched nothing else is `UNMATCHED_ROUTE`.
 *
 * @example
 * logger.info({ route: requestRoute(c) }, `refused ${c.req.method} ${requestRoute(c)}: ${reason}`);
 */
export function requestRoute(c: Context): string {
  // The first route in the order the app registered them: the one that answers (a catch-all registered
  // last, such as a described service's `/*`, only answers what no earlier route did).
  const route = matchedRoutes(c).find((r) => !(r.method === 'ALL' && r.path.endsWith('*')));
  return route?.path ?? UNMATCHED_ROUTE;
}

/**
 * Names the server span of `withServerSpans` by the request's method and route (the OpenTelemetry
 * convention `GET /v1/organisations/:oin`) and sets `http.route`. Register it first, for every path.
 *
 * @example
 * app.use(nameServerSpan);
 */
export const nameServerSpan = createMiddleware(async function nameServerSpan(c, next) {
  const span = trace.getActiveSpan();
  if (span) {
    const route = requestRoute(c);
    span.setAttribute('http.route', route);
    span.updateName(`${c.req.method} ${route}`);
  }
  await next();
});
