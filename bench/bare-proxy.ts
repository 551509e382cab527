/**
 * The floor for the gateway benchmarks: a hono app that forwards every GET and POST (path and query as
 * they came) to the source and returns its answer, with no checks, no log and no signature.
 * Environment: PORT, SOURCE_URL, PROXY_CLIENT: `fetch` (default; how hono's own proxy helper forwards)
 * or `node` (the gateway's keep-alive HTTP client, so that the two differ only by the gateway's checks
 * and log).
 */
import { serve } from '@hono/node-server';
import { nodeSourceClient } from '@poortwachter/gateway';
import { Hono } from 'hono';

const source = process.env.SOURCE_URL ?? 'http://localhost:8301';
const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
const target = (url: string) => {
  const { pathname, search } = new URL(url);
  return `${source}${pathname}${search}`;
};
if (process.env.PROXY_CLIENT === 'node') {
  const post = nodeSourceClient();
  app.on(['GET', 'POST'], '/*', async (c) => {
    const method = c.req.method === 'GET' ? 'GET' : 'POST';
    const res = await post({
      method,
      url: target(c.req.url),
      headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: method === 'GET' ? '' : await c.req.text(),
      timeoutMs: 5000,
      maxResponseBytes: 16 * 1024 * 1024,
    });
    return c.body(res.text, res.status as 200, { 'content-type': res.contentType ?? 'application/json' });
  });
} else {
  app.on(['GET', 'POST'], '/*', async (c) => {
    const get = c.req.method === 'GET';
    const res = await fetch(target(c.req.url), {
      method: c.req.method,
      headers: get ? {} : { 'content-type': 'application/json' },
      ...(get ? {} : { body: await c.req.text() }),
    });
    return c.body(await res.text(), res.status as 200, {
      'content-type': res.headers.get('content-type') ?? 'application/json',
    });
  });
}
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8399) });
