import {
  contentDigest,
  formatTraceparent,
  READ_RESPONSE_COMPONENTS,
  RESPONSE_COMPONENTS,
  signMessage,
} from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { JWK } from 'jose';
import type { GatewayEnv } from './context.ts';

export interface SignResponseOptions {
  /** The bronhouder's private key (registered in the registry). */
  readonly signingKey: JWK;
  readonly now: () => number;
}

/**
 * Signs every answer of the stages after it, refusals included, once they are done (after `next()`):
 * sets `Content-Digest`, `Fsc-Transaction-Id` and `traceparent`, then an RFC 9421 signature over
 * `@status`, the digest and the transaction id, bound to the request's own signature (`;req`) when the
 * request was signed by a verified caller. A request that never got a trace context stays unsigned.
 */
export const signResponse = (options: SignResponseOptions) =>
  createMiddleware<GatewayEnv>(async function signResponse(c, next) {
    await next();
    const trace = c.get('trace');
    if (!trace) return;
    const headers = c.res.headers;
    if (!headers.has('content-digest')) {
      headers.set('content-digest', await contentDigest(c.get('responseBody') ?? (await c.res.clone().text())));
    }
    headers.set('fsc-transaction-id', c.get('transactionId'));
    headers.set('traceparent', formatTraceparent(trace.traceId, trace.spanId));
    const created = Math.floor(options.now() / 1000);
    const signature = await signMessage(
      { status: c.res.status, header: (name) => headers.get(name) },
      c.get('caller')
        ? {
            components: RESPONSE_COMPONENTS,
            privateKey: options.signingKey,
            created,
            request: { header: (name) => c.req.raw.headers.get(name) },
          }
        : { components: READ_RESPONSE_COMPONENTS, privateKey: options.signingKey, created },
    );
    for (const [name, value] of Object.entries(signature)) headers.set(name, value);
  });

/** Sends `body` as the answer, keeping its text for `signResponse`'s digest. */
export function send(c: Context<GatewayEnv>, status: number, body: string, headers: Record<string, string>): Response {
  c.set('responseBody', body);
  return c.body(body, status as 200, headers);
}
