/** The example BRP source's server entry. Environment: PORT (8301), HOST (127.0.0.1). */
import { serve } from '@hono/node-server';
import { bindHost, urlHost } from '@poortwachter/registry';
import { loadPersonen } from '@poortwachter/seeds';
import { createBrpSourceApp } from './app.ts';

const port = Number(process.env.PORT || 8301);
const personen = loadPersonen();
const app = createBrpSourceApp({ personen });
const host = bindHost();
const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(
    `example BRP source (BRP API Personen 2.x) listening on http://${urlHost(host)}:${info.port}/personen, ${personen.length} test persons (it answers anyone who reaches it: keep it on loopback, behind the gateway)`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
