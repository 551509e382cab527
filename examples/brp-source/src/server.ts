/** The example BRP source's server entry. Environment: PORT (8301). */
import { serve } from '@hono/node-server';
import { loadPersonen } from '@poortwachter/seeds';
import { createBrpSourceApp } from './app.ts';

const port = Number(process.env.PORT || 8301);
const personen = loadPersonen();
const app = createBrpSourceApp({ personen });
const server = serve({ fetch: app.fetch, port }, (info) => {
  console.log(
    `example BRP source (BRP API Personen 2.x) listening on http://localhost:${info.port}/personen, ${personen.length} test persons`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
