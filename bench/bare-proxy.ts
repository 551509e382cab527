/**
 * The floor for the gateway benchmark: a hono app that forwards POST /personen to the source and
 * returns its answer, with no checks, no log and no signature. Environment: PORT, SOURCE_URL,
 * PROXY_CLIENT: `fetch` (default; how hono's own proxy helper forwards) or `node` (the gateway's
 * keep-alive HTTP client, so that the two differ only by the gateway's checks and log).
 */
import { serve } from '@hono/node-server';
import { nodeSourceClient } from '@poortwachter/gateway';
import { Hono } from 'hono';

const source = process.env.SOURCE_URL ?? 'http://localhost:8301';
const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
if (process.env.PROXY_CLIENT === 'node') {
  const post = nodeSourceClient();
  app.post('/personen', async (c) => {
    const res = await post({
      url: `${source}/personen`,
      headers: { 'content-type': 'application/json' },
      body: await c.req.text(),
      timeoutMs: 5000,
      maxResponseBytes: 16 * 1024 * 1024,
    });
    return c.body(res.text, res.status as 200, { 'content-type': 'application/json' });
  });
} else {
  app.post('/personen', async (c) => {
    const res = await fetch(`${source}/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await c.req.text(),
    });
    return c.body(await res.text(), res.status as 200, {
      'content-type': res.headers.get('content-type') ?? 'application/json',
    });
  });
}
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8399) });
