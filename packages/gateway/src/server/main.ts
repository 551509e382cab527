/**
 * The gateway's server entry (composition root): one inway for one service (SERVICE_ID) of its
 * bronhouder. Several services on one machine run one entry each, each with its own DATABASE_URL (or
 * at least its own INSTANCE_ID: one Merkle log per instance) and LOG_KEY_FILE; the signing key is the
 * service provider's, found through the directory (`pnpm start` runs RvIG's for brp-personen and
 * Kadaster's for brk-bevragen this way, see scripts/system-parts.ts).
 *
 * Environment: PORT (8302), HOST (127.0.0.1), DATABASE_URL (sqlite:./data/gateway.db), DATA_DIR (./data),
 * REGISTRY_URL (http://localhost:8300), REGISTRY_PUBLIC_KEY_FILE (<DATA_DIR>/keys/registry.public.jwk.json,
 * the pinned registry key), SERVICE_ID (brp-personen), SOURCE_URL (http://localhost:8301),
 * SOURCE_TIMEOUT_MS (5000), SOURCE_MAX_RESPONSE_BYTES (16 MiB), SOURCE_CA_FILE, SOURCE_CERT_FILE and
 * SOURCE_KEY_FILE (PEM: trust and mutual TLS towards an https source), SIGNING_KEY_FILE
 * (<DATA_DIR>/keys/<provider OIN>.jwk.json), LOG_KEY_FILE (<DATA_DIR>/keys/gateway-log.key, made on first
 * start), DIRECTORY_MAX_AGE_SECONDS (900), DIRECTORY_REFRESH_SECONDS (10), INSTANCE_ID (the host name:
 * also the id of this instance's Merkle log, so give each instance sharing one database its own),
 * TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE, TLS_REQUIRE_CLIENT_CERT (`true` or `false`) (serve HTTPS),
 * DRAIN_TIMEOUT_SECONDS (20), RETENTION_INTERVAL_HOURS (24: how often records past their bewaartermijn are
 * purged; 0 never, when another instance on the same database does it), WORKERS (1; a number or `auto` for one per core: that many processes share
 * the port, each its own Merkle log `<INSTANCE_ID>-w<n>` on the one database), LOG_LEVEL (`trace`, `debug`, `info`,
 * `warn`, `error`, `fatal` or `silent`; info), and the standard OTEL_* variables (OTLP export when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set). A flag or enumeration with any other value stops the start (exit 2).
 */
import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  listen,
  readSettingFile,
  runServer,
  startTelemetry,
  stopOnSignals,
  tlsFromEnv,
} from '@poortwachter/operations';
import { bindHost, dataDir, openDatabase } from '@poortwachter/registry';
import { registryHistory } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { registryDirectory } from '../directory/directory-provider.ts';
import { pinnedRegistryKeys, rememberLearnedKeys } from '../directory/pinned-registry-keys.ts';
import { createGateway } from '../gateway.ts';
import type { SourceTls } from '../pipeline/source-client.ts';
import { migrateGateway } from '../storage/migrate.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { awaitDirectory, maxAgeProblem, serverEnvironment } from './startup.ts';
import { superviseWorkers, workerCount } from './workers.ts';

const log = createLogger('gateway');
const primary =
  cluster.isPrimary &&
  workerCount(process.env, (message) => {
    log.fatal(`cannot start: ${message}`);
    process.exit(2);
  }) > 1;

if (primary) {
  // Several workers: this process only prepares what they share and watches them (see superviseWorkers).
  await runServer(log, async () => {
    const env = process.env;
    const { fail, secretKey } = serverEnvironment(log, env);
    const data = dataDir(env);
    await superviseWorkers({
      count: workerCount(env, fail),
      instanceId: env.INSTANCE_ID || hostname(),
      log,
      async prepare() {
        secretKey(env.LOG_KEY_FILE || join(data, 'keys', 'gateway-log.key'));
        const database = openDatabase<GatewayDatabase>(env.DATABASE_URL || `sqlite:${join(data, 'gateway.db')}`, {
          durable: true,
        });
        try {
          await migrateGateway(database.db as Kysely<unknown>);
        } finally {
          await database.close();
        }
      },
    });
  });
} else await runWorker();

async function runWorker() {
  await runServer(log, async () => {
    const env = process.env;
    const { fail, positive, port: portOf, secretKey, previousLogKeys } = serverEnvironment(log, env);
    const telemetry = startTelemetry('poortwachter-gateway', env);
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
    const drainTimeoutMs = positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000;
    // One purge per database is enough: of several workers, the first does it.
    const retentionHours = env.RETENTION_INTERVAL_HOURS === '0' ? 0 : positive('RETENTION_INTERVAL_HOURS', 24);
    const retentionIntervalMs = (env.POORTWACHTER_WORKER ?? '1') === '1' ? retentionHours * 3600 * 1000 : 0;
    const tls = tlsFromEnv(env, fail);
    const sourceTls = sourceTlsFromEnv(env, fail);
    if (sourceTls && !sourceUrl.startsWith('https:'))
      fail('SOURCE_CA_FILE, SOURCE_CERT_FILE and SOURCE_KEY_FILE need an https SOURCE_URL');

    if (!existsSync(registryKeyFile)) {
      fail(
        `no pinned registry key at ${registryKeyFile}: start the registry first (it writes it) or set REGISTRY_PUBLIC_KEY_FILE`,
      );
    }
    // Keys learned during a registry key rotation are kept beside the gateway's own keys.
    const learnedKeysFile = join(data, 'keys', 'registry.learned.jwks.json');
    const registryKey = pinnedRegistryKeys(registryKeyFile, learnedKeysFile);

    // The log key makes BSN pseudonyms unlinkable without it; it is made once and must be kept.
    const logKey = secretKey(logKeyFile);

    const directory = registryDirectory({
      registryUrl,
      registryKey,
      onLearnedKeys: (keys) => {
        registryKey.keys.push(...keys); // the change log's verifier (registryHistory) reads the same set
        rememberLearnedKeys(learnedKeysFile, keys);
        log.info({ kids: keys.map((k) => k.kid), file: learnedKeysFile }, "learned the registry's new signing key");
      },
      refreshIntervalMs: directoryRefreshSeconds * 1000,
      maxAgeSeconds: directoryMaxAgeSeconds,
    });
    // Without SIGNING_KEY_FILE the key is found through the directory (the provider's OIN): wait for it.
    await awaitDirectory(directory, log, registryUrl, { wait: !env.SIGNING_KEY_FILE });
    const status = directory.status();
    if (status.serial !== undefined) {
      const problem = maxAgeProblem(directory.current().snapshot, directoryMaxAgeSeconds, directoryRefreshSeconds);
      if (problem) fail(problem);
    }

    const service = status.serial === undefined ? undefined : directory.current().services.get(serviceId);
    if (status.serial !== undefined && !service) fail(`the directory has no service ${serviceId}: set SERVICE_ID`);
    const providerOin = service?.providerOin;
    const signingKeyFile =
      env.SIGNING_KEY_FILE || (providerOin ? join(data, 'keys', `${providerOin}.jwk.json`) : undefined);
    if (!signingKeyFile || !existsSync(signingKeyFile)) {
      fail(
        `no signing key for the provider of ${serviceId} at ${signingKeyFile ?? '(unknown)'}: set SIGNING_KEY_FILE to the bronhouder's private JWK`,
      );
    }
    const signingKey = JSON.parse(readFileSync(signingKeyFile as string, 'utf8')) as JWK;
    const registered =
      service && directory.current().keys.get(signingKey.kid ?? '')?.organisation.oin === service.providerOin;
    if (status.serial !== undefined && !registered) {
      log.warn(
        { kid: signingKey.kid, provider_oin: providerOin },
        `the signing key ${signingKey.kid} is not registered for ${providerOin}; clients will not trust responses`,
      );
    }

    const database = openDatabase<GatewayDatabase>(databaseUrl, { durable: true });
    const gateway = await createGateway({
      serviceId,
      instanceId,
      database,
      directory,
      source: {
        url: sourceUrl,
        timeoutMs: sourceTimeoutMs,
        maxResponseBytes: sourceMaxResponseBytes,
        ...(sourceTls ? { tls: sourceTls } : {}),
      },
      signingKey,
      logKey,
      previousLogKeys: previousLogKeys(),
      history: registryHistory({ registryUrl, registryKey }),
      logger: log,
      metrics: telemetry.prometheus,
      retentionIntervalMs,
    });

    const provider = providerOin ? directory.current().organisations.get(providerOin)?.name : undefined;
    const host = bindHost(env);
    const listening = await listen({ fetch: gateway.app.fetch, port, hostname: host, ...(tls ? { tls } : {}) });
    log.info(
      {
        url: listening.url,
        service_id: serviceId,
        source_url: sourceUrl,
        registry_url: registryUrl,
        serial: directory.status().serial ?? null,
        database: databaseUrl.split('?')[0],
        provider_oin: providerOin ?? null,
        otlp: telemetry.exporting,
      },
      `poortwachter gateway for ${serviceId}${provider ? ` of ${provider}` : ''} listening on ${listening.url} (/readyz, /metrics)`,
    );

    stopOnSignals(listening, {
      component: 'gateway',
      log,
      drainTimeoutMs,
      beforeDrain: () => directory.stop(),
      close: async () => {
        try {
          await gateway.close();
        } finally {
          await database.close();
          await telemetry.shutdown();
        }
      },
    });
  });
}

function sourceTlsFromEnv(env: NodeJS.ProcessEnv, fail: (message: string) => never): SourceTls | undefined {
  const read = (name: 'SOURCE_CA_FILE' | 'SOURCE_CERT_FILE' | 'SOURCE_KEY_FILE') => {
    const file = env[name]?.trim();
    return file ? readSettingFile(name, file, fail) : undefined;
  };
  const ca = read('SOURCE_CA_FILE');
  const cert = read('SOURCE_CERT_FILE');
  const key = read('SOURCE_KEY_FILE');
  if (Boolean(cert) !== Boolean(key))
    fail('SOURCE_CERT_FILE and SOURCE_KEY_FILE go together (mutual TLS to the source)');
  if (!ca && !cert) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}
