/**
 * The floor for the gateway benchmark: a hono app that forwards POST /personen to the source and
 * returns its answer, with no checks, no log and no signature. Environment: PORT, SOURCE_URL.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const source = process.env.SOURCE_URL ?? 'http://localhost:8301';
const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
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
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8399) });
