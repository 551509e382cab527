/**
 * The registry's server entry (composition root): reads the environment, opens the database, runs
 * migrations, makes the admin token and registry key on first start, seeds the demo and serves.
 *
 * Environment: PORT (8300), DATABASE_URL (sqlite:./data/registry.db), DATA_DIR (./data),
 * REGISTRY_KEY_FILE (<DATA_DIR>/keys/registry.jwk.json), SEED (`demo` | `none`, default demo),
 * GATEWAY_PUBLIC_URL (http://localhost:8302, the BRP gateway the demo directory points at),
 * IDP_PUBLIC_URL (http://localhost:8303, the development identity provider the demo trusts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { createDirectoryPublisher } from '../directory/publisher.ts';
import { createRegistryApp } from '../http/app.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { migrateRegistry } from '../storage/migrate.ts';
import { openDatabase } from '../storage/open-database.ts';
import { ensureAdminToken } from './admin-token-file.ts';
import { bindHost, isLoopback, urlHost } from './bind-host.ts';
import { dataDir } from './data-dir.ts';
import { loadOrCreateKey, publicJwkOf } from './key-files.ts';
import { seedDemoRegistry } from './seed-demo.ts';

const env = process.env;
const started = performance.now();
const data = dataDir(env);
const port = Number(env.PORT || 8300);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  process.exit(2);
}
const databaseUrl = env.DATABASE_URL || `sqlite:${join(data, 'registry.db')}`;
const keyFile = env.REGISTRY_KEY_FILE || join(data, 'keys', 'registry.jwk.json');
const tokenFile = join(data, 'registry-admin-token');

const { db, close } = openDatabase<RegistryDatabase>(databaseUrl);
await migrateRegistry(db as never);
const tokenCreated = await ensureAdminToken(db, tokenFile);
const { jwk: registryKey, created: keyCreated } = await loadOrCreateKey(keyFile, 'P-256');
// The public key, for pinning by gateways and clients on this machine.
const publicKeyFile = join(data, 'keys', 'registry.public.jwk.json');
mkdirSync(dirname(publicKeyFile), { recursive: true });
writeFileSync(publicKeyFile, `${JSON.stringify(publicJwkOf(registryKey), null, 2)}\n`);
const seeded =
  (env.SEED ?? 'demo') === 'demo'
    ? await seedDemoRegistry(db, {
        keyDir: join(data, 'keys'),
        gatewayUrl: env.GATEWAY_PUBLIC_URL ?? 'http://localhost:8302',
        ...(env.IDP_PUBLIC_URL ? { identityProviderUrl: env.IDP_PUBLIC_URL } : {}),
      })
    : false;
const publisher = await createDirectoryPublisher(db, registryKey);
const app = createRegistryApp({ db, publisher });
const serial = await publisher.serial();

const host = bindHost(env);
const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  const base = `http://${isLoopback(host) ? 'localhost' : urlHost(host)}:${info.port}`;
  const lines = [
    `poortwachter registry listening on ${base} (database ${databaseUrl.split('?')[0]}, serial ${serial})`,
    keyCreated ? `  made the registry signing key: ${keyFile}` : undefined,
    tokenCreated ? `  made the admin token (stored only as a hash): ${tokenFile}` : undefined,
    seeded
      ? `  seeded the demo registry; demo organisations' private keys are in ${join(data, 'keys')}/<OIN>.jwk.json`
      : undefined,
    '',
    `  read the signed directory:   curl -s ${base}/v1/directory`,
    `  verify and summarise it:     pnpm poortwachter directory --registry ${base}`,
    `  the registry's public key:   curl -s ${base}/.well-known/jwks.json   (pinned copy: ${publicKeyFile})`,
    `  records (public reads):      curl -s ${base}/v1/organisations   (also /v1/services, /v1/grondslagen, /v1/processing-activities, /v1/autorisaties)`,
    `  change something (admin):    curl -H "Authorization: Bearer $(cat ${tokenFile})" -H 'content-type: application/json' -X PUT ${base}/v1/autorisaties/<id> -d @autorisatie.json`,
    `  request schemas:             curl -s ${base}/v1/schemas`,
    `  started in ${Math.round(performance.now() - started)} ms`,
  ];
  console.log(lines.filter((l) => l !== undefined).join('\n'));
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      void close().then(() => process.exit(0));
    });
  });
}
