/**
 * The outway's server entry (composition root): an afnemer's applications call the BRP API here.
 * Settings: ./settings.ts (README: Configuration). `outway-main.ts migrate` only migrates the database.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  failSetting,
  listen,
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
import { inForce } from '@poortwachter/protocol';
import {
  backupCommand,
  bindHost,
  dataDir,
  maintenanceHelp,
  openDatabase,
  writeSecretFile,
} from '@poortwachter/registry';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { registryDirectory } from '../directory/directory-provider.ts';
import { pinnedRegistryKeys, rememberLearnedKeys } from '../directory/pinned-registry-keys.ts';
import { adminTokenFile } from '../outway/admin-token.ts';
import { listApplications, registerApplication } from '../outway/applications.ts';
import { bindingProblems } from '../outway/bound-activities.ts';
import { migrateOutway } from '../outway/migrate.ts';
import { createOutway } from '../outway/outway.ts';
import type { OutwayDatabase } from '../outway/tables.ts';
import { quotasFromSettings } from '../pipeline/quota.ts';
import { outwaySettings } from './settings.ts';
import { awaitDirectory, maxAgeProblem, previousLogKeys, secretKey } from './startup.ts';

const log = createLogger('outway');

const help = maintenanceHelp(process.argv.slice(2));

await runServer(log, async () => {
  if (help) return void process.stdout.write(`${help}\n`);
  const settings = startupSettings(log, outwaySettings);
  if (process.argv[2] === 'migrate') await migrateOnly(settings);
  // `outway-main.ts backup --to FILE`: an online backup of the database, beside the running outway.
  else if (process.argv[2] === 'backup')
    process.exit(await backupCommand(process.argv.slice(3), databaseUrlOf(settings)));
  else await serve(settings);
});

function databaseUrlOf(settings: SettingsOf<typeof outwaySettings>) {
  return settings.DATABASE_URL ?? `sqlite:${join(dataDir({ DATA_DIR: settings.DATA_DIR }), 'outway.db')}`;
}

/** Migrates the database (the log's schema and the outway's own) and returns its version. */
async function migrate(databaseUrl: string): Promise<string> {
  const database = openDatabase<OutwayDatabase>(databaseUrl, { durable: true });
  try {
    return await migrateOutway(database.db as Kysely<unknown>);
  } finally {
    await database.close();
  }
}

async function migrateOnly(settings: SettingsOf<typeof outwaySettings>) {
  const version = await migrate(databaseUrlOf(settings));
  log.info({ version }, `outway database migrated: version ${version}`);
}

async function serve(settings: SettingsOf<typeof outwaySettings>) {
  const env = process.env;
  const fail = failSetting;
  const telemetry = startTelemetry('poortwachter-outway', env);
  const data = dataDir({ DATA_DIR: settings.DATA_DIR });
  const port = settings.PORT;
  const refreshSeconds = settings.DIRECTORY_REFRESH_SECONDS;
  const maxAgeSeconds = settings.DIRECTORY_MAX_AGE_SECONDS;
  const drainTimeoutMs = settings.DRAIN_TIMEOUT_SECONDS * 1000;
  const providerTimeoutMs = settings.PROVIDER_TIMEOUT_MS;
  const quotas = quotasFromSettings(settings);
  const tls = tlsFromEnv(env, fail);
  const oin = settings.ORGANISATION_OIN ?? fail('set ORGANISATION_OIN: the OIN of the afnemer this outway signs for');
  const publicUrl = settings.PUBLIC_URL ?? `http://localhost:${port}`;
  const databaseUrl = databaseUrlOf(settings);
  const registryUrl = settings.REGISTRY_URL;
  const registryKeyFile = settings.REGISTRY_PUBLIC_KEY_FILE ?? join(data, 'keys', 'registry.public.jwk.json');
  const keyFile = settings.ORGANISATION_KEY_FILE ?? join(data, 'keys', `${oin}.jwk.json`);
  const logKeyFile = settings.LOG_KEY_FILE ?? join(data, 'keys', 'outway-log.key');
  const adminTokenPath = settings.ADMIN_TOKEN_FILE ?? join(data, 'outway-admin-token');
  const instanceId = settings.INSTANCE_ID ?? `outway-${hostname()}`;

  if (!existsSync(registryKeyFile)) fail(`no pinned registry key at ${registryKeyFile}: set REGISTRY_PUBLIC_KEY_FILE`);
  if (!existsSync(keyFile)) fail(`no private key of ${oin} at ${keyFile}: set ORGANISATION_KEY_FILE`);
  // Keys learned during a registry key rotation are kept beside the outway's own keys.
  const learnedKeysFile = join(data, 'keys', 'registry.learned.jwks.json');
  const registryKey = pinnedRegistryKeys(registryKeyFile, learnedKeysFile);
  const privateKey = readPrivateKey<JWK>('ORGANISATION_KEY_FILE', keyFile, settings.POORTWACHTER_DEMO);
  const trustAnchors = readTrustAnchors(settings, data, fail);
  // The schema before the directory: a database newer than this version stops the start at once.
  await migrate(databaseUrl);
  const logKey = secretKey(logKeyFile);
  if (!existsSync(adminTokenPath)) writeSecretFile(adminTokenPath, `${randomBytes(32).toString('base64url')}\n`);
  const adminTokens = adminTokenFile(adminTokenPath);
  if (adminTokens().length === 0) fail(`no admin token in ${adminTokenPath}: one token a line`);

  const directory = registryDirectory({
    registryUrl,
    registryKey,
    trustAnchors,
    onLearnedKeys: (keys) => {
      rememberLearnedKeys(learnedKeysFile, keys);
      log.info({ kids: keys.map((k) => k.kid), file: learnedKeysFile }, "learned the registry's new signing key");
    },
    refreshIntervalMs: refreshSeconds * 1000,
    maxAgeSeconds,
  });
  await awaitDirectory(directory, log, registryUrl);
  const problem = maxAgeProblem(directory.current().snapshot, maxAgeSeconds, refreshSeconds);
  if (problem) fail(problem);
  if (directory.current().keys.get(privateKey.kid ?? '')?.organisation.oin !== oin) {
    log.warn(
      { kid: privateKey.kid, oin },
      `the key ${privateKey.kid} is not registered for ${oin}; providers will refuse its requests`,
    );
  }

  const database = openDatabase<OutwayDatabase>(databaseUrl, { durable: true });
  const outway = await createOutway({
    organisationOin: oin,
    privateKey,
    publicUrl,
    instanceId,
    database,
    directory,
    logKey,
    previousLogKeys: previousLogKeys(settings.LOG_PREVIOUS_KEY_FILES),
    adminTokenHashes: adminTokens,
    timeoutMs: providerTimeoutMs,
    logger: log,
    metrics: telemetry.prometheus,
    quotas,
  });

  // pnpm start: one demo application, bound to the organisation's verwerkingsactiviteiten.
  const demoKeyFile = settings.DEMO_APPLICATION_KEY_FILE;
  if (demoKeyFile && (await listApplications(database.db)).length === 0) {
    const index = directory.current();
    const snapshot = index.snapshot;
    const now = new Date().toISOString();
    // The activities the admin API would bind: the organisation's own, known and not ended.
    const activities = snapshot.processing_activities
      .map((a) => a.id)
      .filter((id) => bindingProblems(index, oin, [id], now).length === 0);
    const usable = snapshot.autorisaties.find((a) => a.afnemerOin === oin && inForce(a, now))?.processingActivityId;
    const { apiKey } = await registerApplication(database.db, {
      name: 'Demo-applicatie',
      processingActivities: activities,
      defaultProcessingActivity: usable ?? activities[0] ?? null,
    });
    writeSecretFile(demoKeyFile, `${apiKey}\n`);
    log.info({ file: demoKeyFile }, `registered the demo application; its API key is in ${demoKeyFile}`);
  }

  // HTTPS when a certificate and key are given; with a client CA, applications may present a client
  // certificate that CA signed instead of an API key (checked against the fingerprints registered).
  const host = bindHost({ HOST: settings.HOST });
  const listening = await listen({ fetch: outway.app.fetch, port, hostname: host, ...(tls ? { tls } : {}) });
  const organisation = directory.current().organisations.get(oin);
  log.info(
    {
      url: listening.url,
      oin,
      registry_url: registryUrl,
      database: shownDatabaseUrl(databaseUrl),
      otlp: telemetry.exporting,
    },
    [
      `poortwachter outway for ${organisation?.name ?? oin} listening on ${listening.url} (POST /<service>/personen, X-API-KEY${tls?.clientCa ? ' or a client certificate' : ''})`,
      `register applications: POST /admin/v1/applications with a token in ${adminTokenPath}`,
    ].join('; '),
  );

  stopOnSignals(listening, {
    component: 'outway',
    log,
    drainTimeoutMs,
    beforeDrain: () => directory.stop(),
    close: async () => {
      try {
        await outway.close();
      } finally {
        await database.close();
        await telemetry.shutdown();
      }
    },
  });
}
