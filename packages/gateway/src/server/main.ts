/**
 * The gateway's server entry (composition root).
 *
 * Environment: PORT (8302), HOST (127.0.0.1), DATABASE_URL (sqlite:./data/gateway.db), DATA_DIR (./data),
 * REGISTRY_URL (http://localhost:8300), REGISTRY_PUBLIC_KEY_FILE (<DATA_DIR>/keys/registry.public.jwk.json,
 * the pinned registry key), SERVICE_ID (brp-personen), SOURCE_URL (http://localhost:8301),
 * SOURCE_TIMEOUT_MS (5000), SOURCE_MAX_RESPONSE_BYTES (16 MiB), SIGNING_KEY_FILE (<DATA_DIR>/keys/<provider OIN>.jwk.json),
 * LOG_KEY_FILE (<DATA_DIR>/keys/gateway-log.key, made on first start), DIRECTORY_MAX_AGE_SECONDS (900),
 * DIRECTORY_REFRESH_SECONDS (10), INSTANCE_ID (the host name: also the id of this instance's Merkle
 * log, so give each instance sharing one database its own).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { bindHost, dataDir, openDatabase } from '@poortwachter/registry';
import { registryHistory } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import { registryDirectory } from '../directory/directory-provider.ts';
import { createGateway } from '../gateway.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { awaitDirectory, startupEnvironment, stopOnSignals } from './startup.ts';

const env = process.env;
const { fail, positive, port: portOf, secretKey } = startupEnvironment('gateway', env);
const data = dataDir(env);
const port = portOf(8302);
const databaseUrl = env.DATABASE_URL || `sqlite:${join(data, 'gateway.db')}`;
const registryUrl = env.REGISTRY_URL || 'http://localhost:8300';
const serviceId = env.SERVICE_ID || 'brp-personen';
const sourceUrl = env.SOURCE_URL || 'http://localhost:8301';
const registryKeyFile = env.REGISTRY_PUBLIC_KEY_FILE || join(data, 'keys', 'registry.public.jwk.json');
const logKeyFile = env.LOG_KEY_FILE || join(data, 'keys', 'gateway-log.key');
const instanceId = env.INSTANCE_ID || hostname();
const sourceTimeoutMs = positive('SOURCE_TIMEOUT_MS', 5000);
const sourceMaxResponseBytes = positive('SOURCE_MAX_RESPONSE_BYTES', 16 * 1024 * 1024);
const directoryRefreshSeconds = positive('DIRECTORY_REFRESH_SECONDS', 10);
const directoryMaxAgeSeconds = positive('DIRECTORY_MAX_AGE_SECONDS', 900);

if (!existsSync(registryKeyFile)) {
  fail(
    `no pinned registry key at ${registryKeyFile}: start the registry first (it writes it) or set REGISTRY_PUBLIC_KEY_FILE`,
  );
}
const registryKey = JSON.parse(readFileSync(registryKeyFile, 'utf8')) as JWK;

// The log key makes BSN pseudonyms unlinkable without it; it is made once and must be kept.
const logKey = secretKey(logKeyFile);

const directory = registryDirectory({
  registryUrl,
  registryKey,
  refreshIntervalMs: directoryRefreshSeconds * 1000,
  maxAgeSeconds: directoryMaxAgeSeconds,
});
await awaitDirectory(directory, 'gateway', registryUrl);
const status = directory.status();

const service = status.serial === undefined ? undefined : directory.current().services.get(serviceId);
const providerOin = service?.providerOin;
const signingKeyFile =
  env.SIGNING_KEY_FILE || (providerOin ? join(data, 'keys', `${providerOin}.jwk.json`) : undefined);
if (!signingKeyFile || !existsSync(signingKeyFile)) {
  fail(`no signing key for the provider of ${serviceId} (${signingKeyFile ?? 'set SIGNING_KEY_FILE'})`);
}
const signingKey = JSON.parse(readFileSync(signingKeyFile as string, 'utf8')) as JWK;
const registered =
  service && directory.current().keys.get(signingKey.kid ?? '')?.organisation.oin === service.providerOin;
if (!registered)
  console.warn(
    `gateway: the signing key ${signingKey.kid} is not registered for ${providerOin}; clients will not trust responses`,
  );

const database = openDatabase<GatewayDatabase>(databaseUrl, { durable: true });
const gateway = await createGateway({
  serviceId,
  instanceId,
  database,
  directory,
  source: { url: sourceUrl, timeoutMs: sourceTimeoutMs, maxResponseBytes: sourceMaxResponseBytes },
  signingKey,
  logKey,
  history: registryHistory({ registryUrl, registryKey }),
});

const host = bindHost(env);
const server = serve({ fetch: gateway.app.fetch, port, hostname: host }, (info) => {
  console.log(
    [
      `poortwachter gateway for ${serviceId} listening on ${host}:${info.port} (POST /personen)`,
      `  source ${sourceUrl}, directory serial ${directory.status().serial ?? '(none yet)'} from ${registryUrl}, log ${databaseUrl}`,
      `  responses signed as ${providerOin ?? '?'} (key ${signingKey.kid?.slice(0, 12)}…)`,
      `  citizens: GET /inzage/v1/verwerkingen (token); organisations: POST /processing-activities; auditors: POST /audit/v1/coverage (signed)`,
    ].join('\n'),
  );
});

stopOnSignals(server, directory, async () => {
  await gateway.close();
  await database.close();
});
