/**
 * The registry's server entry (composition root): reads the environment, opens the database, runs
 * migrations, makes the admin token and registry key on first start, seeds the demo and serves.
 *
 * Environment: PORT (8300), DATABASE_URL (sqlite:./data/registry.db), DATA_DIR (./data),
 * REGISTRY_KEY_FILE (<DATA_DIR>/keys/registry.jwk.json), REGISTRY_NEXT_KEY_FILE (<DATA_DIR>/keys/registry.next.jwk.json:
 * the next signing key during a rotation, signing beside the current one when present), SEED (`demo` or `none`, default demo),
 * GATEWAY_PUBLIC_URL (http://localhost:8302, the BRP gateway the demo directory points at),
 * BRK_GATEWAY_PUBLIC_URL (http://localhost:8307, Kadaster's BRK inway the demo directory points at),
 * IDP_PUBLIC_URL (http://localhost:8303, the development identity provider the demo trusts),
 * PORTAL_ORIGINS (http://localhost:8305,http://127.0.0.1:8305: the citizens' page the demo lets call the gateways),
 * DIRECTORY_RESIGN_SECONDS (60: how often an unchanged snapshot is signed again; stated in the snapshot,
 * so gateways refuse a maximum age it cannot meet), TLS_CERT_FILE/TLS_KEY_FILE (serve HTTPS),
 * TLS_CLIENT_CA_FILE, TLS_REQUIRE_CLIENT_CERT (`true` or `false`, default false), DRAIN_TIMEOUT_SECONDS
 * (20), LOG_LEVEL (`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`; default info) and the
 * standard OTEL_* variables. A flag or enumeration with any other value stops the start (exit 2).
 */
import { join } from 'node:path';
import {
  createLogger,
  listen,
  runServer,
  startTelemetry,
  startupEnvironment,
  stopOnSignals,
  tlsFromEnv,
  withServerSpans,
} from '@poortwachter/operations';
import { writeFileAtomic } from '@poortwachter/sdk';
import { createDirectoryPublisher } from '../directory/publisher.ts';
import { createRegistryApp } from '../http/app.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { migrateRegistry } from '../storage/migrate.ts';
import { openDatabase } from '../storage/open-database.ts';
import { ensureAdminToken } from './admin-token-file.ts';
import { bindHost, isLoopback, urlHost } from './bind-host.ts';
import { dataDir } from './data-dir.ts';
import { loadRegistryKeys, publicJwkOf } from './key-files.ts';
import { seedDemoRegistry } from './seed-demo.ts';

const log = createLogger('registry');

await runServer(log, async () => {
  const env = process.env;
  const started = performance.now();
  const { fail, port: portOf, positive, oneOf } = startupEnvironment(log, env);
  const telemetry = startTelemetry('poortwachter-registry', env);
  const seed = oneOf('SEED', ['demo', 'none'], 'demo');
  const data = dataDir(env);
  const port = portOf(8300);
  const resignSeconds = positive('DIRECTORY_RESIGN_SECONDS', 60);
  const drainTimeoutMs = positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000;
  const tls = tlsFromEnv(env, fail);
  const databaseUrl = env.DATABASE_URL || `sqlite:${join(data, 'registry.db')}`;
  const keyFile = env.REGISTRY_KEY_FILE || join(data, 'keys', 'registry.jwk.json');
  const nextKeyFile = env.REGISTRY_NEXT_KEY_FILE || join(data, 'keys', 'registry.next.jwk.json');
  const tokenFile = join(data, 'registry-admin-token');

  const { db, close } = openDatabase<RegistryDatabase>(databaseUrl);
  await migrateRegistry(db as never);
  const tokenCreated = await ensureAdminToken(db, tokenFile);
  // During a key rotation the next key signs beside the current one (see README, "Key rotation").
  const { keys: registryKeys, created: keyCreated } = await loadRegistryKeys(keyFile, nextKeyFile);
  // The public key, for pinning by gateways and clients on this machine (both keys during a rotation).
  const publicKeyFile = join(data, 'keys', 'registry.public.jwk.json');
  const pinnable =
    registryKeys.length === 1 ? publicJwkOf(registryKeys[0] ?? {}) : { keys: registryKeys.map(publicJwkOf) };
  // Atomically: gateways and the CLI on this machine read it, also while the registry (re)starts.
  writeFileAtomic(publicKeyFile, `${JSON.stringify(pinnable, null, 2)}\n`);
  const seeded =
    seed === 'demo'
      ? await seedDemoRegistry(db, {
          keyDir: join(data, 'keys'),
          gatewayUrl: env.GATEWAY_PUBLIC_URL ?? 'http://localhost:8302',
          brkGatewayUrl: env.BRK_GATEWAY_PUBLIC_URL ?? 'http://localhost:8307',
          ...(env.IDP_PUBLIC_URL ? { identityProviderUrl: env.IDP_PUBLIC_URL } : {}),
          identityProviderIntrospection: true,
          portalOrigins: (env.PORTAL_ORIGINS ?? 'http://localhost:8305,http://127.0.0.1:8305')
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
        })
      : false;
  const publisher = await createDirectoryPublisher(db, registryKeys, { resignAfterMs: resignSeconds * 1000 });
  const app = createRegistryApp({ db, publisher, metrics: telemetry.prometheus });
  const serial = await publisher.serial();

  const host = bindHost(env);
  const listening = await listen({
    fetch: withServerSpans('@poortwachter/registry', app.fetch),
    port,
    hostname: host,
    ...(tls ? { tls } : {}),
  });
  {
    const base = `${tls ? 'https' : 'http'}://${isLoopback(host) ? 'localhost' : urlHost(host)}:${listening.port}`;
    const lines = [
      `poortwachter registry listening on ${base} (database ${databaseUrl.split('?')[0]}, serial ${serial})`,
      keyCreated ? `  made the registry signing key: ${keyFile}` : undefined,
      registryKeys.length > 1 ? `  rotating: signing with ${keyFile} and ${nextKeyFile}` : undefined,
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
    const [first, ...hints] = lines.filter((l): l is string => l !== undefined && l !== '');
    log.info(
      {
        url: base,
        serial,
        resign_interval_s: resignSeconds,
        otlp: telemetry.exporting,
        hints: hints.map((h) => h.trim()),
      },
      first,
    );
  }

  stopOnSignals(listening, {
    component: 'registry',
    log,
    drainTimeoutMs,
    close: async () => {
      try {
        await close();
      } finally {
        await telemetry.shutdown();
      }
    },
  });
});
