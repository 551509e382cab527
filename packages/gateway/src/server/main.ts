/**
 * The gateway's server entry (composition root): one inway for one service (SERVICE_ID) of its
 * bronhouder. Several services on one machine run one entry each, each with its own DATABASE_URL (or
 * at least its own INSTANCE_ID: one Merkle log per instance) and LOG_KEY_FILE; the signing key is the
 * service provider's, found through the directory (`pnpm start` runs RvIG's for brp-personen and
 * Kadaster's for brk-bevragen this way, see scripts/system-parts.ts). Settings: ./settings.ts (README:
 * Configuration). `main.ts migrate` only migrates the database;
 * `main.ts backup --to FILE` makes an online backup of it (README: Backup and restore).
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  failSetting,
  listen,
  type PemContent,
  readPemSetting,
  readPrivateKey,
  readTrustAnchors,
  runServer,
  type SettingsOf,
  shownDatabaseUrl,
  startTelemetry,
  startupSettings,
  stopOnSignals,
  tlsFromEnv,
} from '@poortwachter/operations';
import { backupCommand, bindHost, dataDir, maintenanceHelp, openDatabase } from '@poortwachter/registry';
import { registryHistory } from '@poortwachter/sdk';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { registryDirectory } from '../directory/directory-provider.ts';
import { pinnedRegistryKeys, rememberLearnedKeys } from '../directory/pinned-registry-keys.ts';
import { createGateway } from '../gateway.ts';
import { smtpMailer } from '../notice/mailer.ts';
import { quotasFromSettings } from '../pipeline/quota.ts';
import type { SourceTls } from '../pipeline/source-client.ts';
import { migrateGateway } from '../storage/migrate.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { gatewaySettings } from './settings.ts';
import { awaitDirectory, maxAgeProblem, previousLogKeys, secretKey } from './startup.ts';
import { superviseWorkers, workerCount } from './workers.ts';

type GatewaySettings = SettingsOf<typeof gatewaySettings>;

const log = createLogger('gateway');

const help = maintenanceHelp(process.argv.slice(2));

await runServer(log, async () => {
  if (help) return void process.stdout.write(`${help}\n`);
  const settings = startupSettings(log, gatewaySettings);
  if (process.argv[2] === 'migrate') await migrateOnly(settings);
  // An online backup of the database, beside the running gateway.
  else if (process.argv[2] === 'backup')
    process.exit(await backupCommand(process.argv.slice(3), places(settings).databaseUrl));
  // Several workers: this process only prepares what they share and watches them (see superviseWorkers).
  else if (cluster.isPrimary && workerCount(settings.WORKERS) > 1) await supervise(settings);
  else await runWorker(settings);
});

/** Where its state is: the data folder, the database, the log key. */
function places(settings: GatewaySettings) {
  const data = dataDir({ DATA_DIR: settings.DATA_DIR });
  return {
    data,
    databaseUrl: settings.DATABASE_URL ?? `sqlite:${join(data, 'gateway.db')}`,
    logKeyFile: settings.LOG_KEY_FILE ?? join(data, 'keys', 'gateway-log.key'),
  };
}

/** Migrates the database and returns its version. */
async function migrate(databaseUrl: string): Promise<string> {
  const database = openDatabase<GatewayDatabase>(databaseUrl, { durable: true });
  try {
    return await migrateGateway(database.db as Kysely<unknown>);
  } finally {
    await database.close();
  }
}

async function migrateOnly(settings: GatewaySettings) {
  const version = await migrate(places(settings).databaseUrl);
  log.info({ version }, `gateway database migrated: version ${version}`);
}

async function supervise(settings: GatewaySettings) {
  const { databaseUrl, logKeyFile } = places(settings);
  await superviseWorkers({
    count: workerCount(settings.WORKERS),
    instanceId: settings.INSTANCE_ID ?? hostname(),
    log,
    async prepare() {
      secretKey(logKeyFile);
      await migrate(databaseUrl);
    },
  });
}

async function runWorker(settings: GatewaySettings) {
  const env = process.env;
  const fail = failSetting;
  const telemetry = startTelemetry('poortwachter-gateway', env);
  const { data, databaseUrl, logKeyFile } = places(settings);
  const port = settings.PORT;
  const registryUrl = settings.REGISTRY_URL;
  const serviceId = settings.SERVICE_ID;
  const sourceUrl = settings.SOURCE_URL;
  const registryKeyFile = settings.REGISTRY_PUBLIC_KEY_FILE ?? join(data, 'keys', 'registry.public.jwk.json');
  const instanceId = settings.INSTANCE_ID ?? hostname();
  const sourceTimeoutMs = settings.SOURCE_TIMEOUT_MS;
  const sourceMaxResponseBytes = settings.SOURCE_MAX_RESPONSE_BYTES;
  const directoryRefreshSeconds = settings.DIRECTORY_REFRESH_SECONDS;
  const directoryMaxAgeSeconds = settings.DIRECTORY_MAX_AGE_SECONDS;
  const drainTimeoutMs = settings.DRAIN_TIMEOUT_SECONDS * 1000;
  // One purge per database is enough: of several workers, the first does it.
  const retentionIntervalMs =
    (env.POORTWACHTER_WORKER ?? '1') === '1' ? settings.RETENTION_INTERVAL_HOURS * 3600 * 1000 : 0;
  // Notices, like the purge, are sent by one process of a database: of several workers, the first.
  const noticeIntervalMs = (env.POORTWACHTER_WORKER ?? '1') === '1' ? settings.NOTICE_INTERVAL_MINUTES * 60 * 1000 : 0;
  if (settings.SMTP_URL && !settings.NOTICE_FROM)
    fail('NOTICE_FROM is required with SMTP_URL: it accepts the e-mail address the notices are sent from');
  const tls = tlsFromEnv(env, fail);
  const sourceTls = sourceTlsFromEnv(env, fail);
  if (sourceTls && !sourceUrl.startsWith('https:'))
    fail('SOURCE_CA_FILE, SOURCE_CERT_FILE and SOURCE_KEY_FILE need an https SOURCE_URL');
  // A key named by the setting is checked before anything is written (a demo key stops the start at once).
  const namedKey = settings.SIGNING_KEY_FILE
    ? readPrivateKey<JWK>('SIGNING_KEY_FILE', settings.SIGNING_KEY_FILE, settings.POORTWACHTER_DEMO)
    : undefined;
  const trustAnchors = readTrustAnchors(settings, data, fail);
  // The schema before the directory: a database newer than this version stops the start at once.
  await migrate(databaseUrl);

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
    trustAnchors,
    onLearnedKeys: (keys) => {
      registryKey.keys.push(...keys); // the change log's verifier (registryHistory) reads the same set
      rememberLearnedKeys(learnedKeysFile, keys);
      log.info({ kids: keys.map((k) => k.kid), file: learnedKeysFile }, "learned the registry's new signing key");
    },
    refreshIntervalMs: directoryRefreshSeconds * 1000,
    maxAgeSeconds: directoryMaxAgeSeconds,
  });
  // Without SIGNING_KEY_FILE the key is found through the directory (the provider's OIN): wait for it.
  await awaitDirectory(directory, log, registryUrl, { wait: !settings.SIGNING_KEY_FILE });
  const status = directory.status();
  if (status.serial !== undefined) {
    const problem = maxAgeProblem(directory.current().snapshot, directoryMaxAgeSeconds, directoryRefreshSeconds);
    if (problem) fail(problem);
  }

  const service = status.serial === undefined ? undefined : directory.current().services.get(serviceId);
  if (status.serial !== undefined && !service) fail(`the directory has no service ${serviceId}: set SERVICE_ID`);
  const providerOin = service?.providerOin;
  const signingKeyFile =
    settings.SIGNING_KEY_FILE ?? (providerOin ? join(data, 'keys', `${providerOin}.jwk.json`) : undefined);
  if (!signingKeyFile || !existsSync(signingKeyFile)) {
    fail(
      `no signing key for the provider of ${serviceId} at ${signingKeyFile ?? '(unknown)'}: set SIGNING_KEY_FILE to the bronhouder's private JWK`,
    );
  }
  const signingKey =
    namedKey ?? readPrivateKey<JWK>('SIGNING_KEY_FILE', signingKeyFile as string, settings.POORTWACHTER_DEMO);
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
    previousLogKeys: previousLogKeys(settings.LOG_PREVIOUS_KEY_FILES),
    history: registryHistory({ registryUrl, registryKey }),
    logger: log,
    metrics: telemetry.prometheus,
    retentionIntervalMs,
    quotas: quotasFromSettings(settings),
    ...(settings.SMTP_URL && settings.NOTICE_FROM
      ? {
          notices: {
            mailer: smtpMailer({ url: settings.SMTP_URL, from: settings.NOTICE_FROM }),
            portalUrl: settings.PORTAL_URL,
            intervalMs: noticeIntervalMs,
          },
        }
      : {}),
    publishedHeads: {
      dir: settings.PUBLISHED_HEADS_DIR ?? join(data, 'published-heads'),
      confirm: settings.CONFIRM_ROLLBACK_TO ?? [],
    },
  });

  const provider = providerOin ? directory.current().organisations.get(providerOin)?.name : undefined;
  const host = bindHost({ HOST: settings.HOST });
  const listening = await listen({ fetch: gateway.app.fetch, port, hostname: host, ...(tls ? { tls } : {}) });
  log.info(
    {
      url: listening.url,
      service_id: serviceId,
      source_url: sourceUrl,
      registry_url: registryUrl,
      serial: directory.status().serial ?? null,
      database: shownDatabaseUrl(databaseUrl),
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
}

function sourceTlsFromEnv(env: NodeJS.ProcessEnv, fail: (message: string) => never): SourceTls | undefined {
  const read = (name: 'SOURCE_CA_FILE' | 'SOURCE_CERT_FILE' | 'SOURCE_KEY_FILE', holds: PemContent) => {
    const file = env[name]?.trim();
    return file ? readPemSetting(name, file, holds, fail) : undefined;
  };
  const ca = read('SOURCE_CA_FILE', 'certificate');
  const cert = read('SOURCE_CERT_FILE', 'certificate');
  const key = read('SOURCE_KEY_FILE', 'private key');
  if (Boolean(cert) !== Boolean(key))
    fail('SOURCE_CERT_FILE and SOURCE_KEY_FILE go together (mutual TLS to the source)');
  if (!ca && !cert) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}
