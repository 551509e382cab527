/**
 * The outway's server entry (composition root): an afnemer's applications call the BRP API here.
 *
 * Environment: PORT (8304), HOST (127.0.0.1), PUBLIC_URL (http://localhost:<PORT>), DATA_DIR (./data),
 * DATABASE_URL (sqlite:<DATA_DIR>/outway.db), REGISTRY_URL (http://localhost:8300), REGISTRY_PUBLIC_KEY_FILE
 * (<DATA_DIR>/keys/registry.public.jwk.json), ORGANISATION_OIN (required: the afnemer it signs for),
 * ORGANISATION_KEY_FILE (<DATA_DIR>/keys/<OIN>.jwk.json), LOG_KEY_FILE (<DATA_DIR>/keys/outway-log.key,
 * made on first start), ADMIN_TOKEN_FILE (<DATA_DIR>/outway-admin-token, made on first start),
 * PROVIDER_TIMEOUT_MS (10000), DIRECTORY_MAX_AGE_SECONDS (900), DIRECTORY_REFRESH_SECONDS (10),
 * INSTANCE_ID (outway-<host name>), TLS_CERT_FILE and TLS_KEY_FILE (PEM: serve HTTPS), TLS_CLIENT_CA_FILE
 * (PEM: accept application client certificates this CA signed), TLS_REQUIRE_CLIENT_CERT (`true` or `false`),
 * DRAIN_TIMEOUT_SECONDS (20), LOG_LEVEL (`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`; info),
 * the standard OTEL_* variables, DEMO_APPLICATION_KEY_FILE (unset: when set and no application is
 * registered, registers a demo application and writes its API key there, 0600). A flag or enumeration
 * with any other value stops the start (exit 2).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createLogger, listen, runServer, startTelemetry, stopOnSignals, tlsFromEnv } from '@poortwachter/operations';
import { inForce } from '@poortwachter/protocol';
import { bindHost, dataDir, openDatabase, writeSecretFile } from '@poortwachter/registry';
import type { JWK } from 'jose';
import { registryDirectory } from '../directory/directory-provider.ts';
import { pinnedRegistryKeys, rememberLearnedKeys } from '../directory/pinned-registry-keys.ts';
import { adminTokenFile } from '../outway/admin-token.ts';
import { listApplications, registerApplication } from '../outway/applications.ts';
import { bindingProblems } from '../outway/bound-activities.ts';
import { createOutway } from '../outway/outway.ts';
import type { OutwayDatabase } from '../outway/tables.ts';
import { awaitDirectory, maxAgeProblem, serverEnvironment } from './startup.ts';

const log = createLogger('outway');

await runServer(log, async () => {
  const env = process.env;
  const { fail, positive, port: portOf, secretKey, previousLogKeys } = serverEnvironment(log, env);
  const telemetry = startTelemetry('poortwachter-outway', env);
  const data = dataDir(env);
  const port = portOf(8304);
  // Every setting first: a value it cannot use stops the start before anything is written.
  const refreshSeconds = positive('DIRECTORY_REFRESH_SECONDS', 10);
  const maxAgeSeconds = positive('DIRECTORY_MAX_AGE_SECONDS', 900);
  const drainTimeoutMs = positive('DRAIN_TIMEOUT_SECONDS', 20) * 1000;
  const providerTimeoutMs = positive('PROVIDER_TIMEOUT_MS', 10_000);
  const tls = tlsFromEnv(env, fail);
  const oin = env.ORGANISATION_OIN || fail('set ORGANISATION_OIN: the OIN of the afnemer this outway signs for');
  const publicUrl = env.PUBLIC_URL || `http://localhost:${port}`;
  const databaseUrl = env.DATABASE_URL || `sqlite:${join(data, 'outway.db')}`;
  const registryUrl = env.REGISTRY_URL || 'http://localhost:8300';
  const registryKeyFile = env.REGISTRY_PUBLIC_KEY_FILE || join(data, 'keys', 'registry.public.jwk.json');
  const keyFile = env.ORGANISATION_KEY_FILE || join(data, 'keys', `${oin}.jwk.json`);
  const logKeyFile = env.LOG_KEY_FILE || join(data, 'keys', 'outway-log.key');
  const adminTokenPath = env.ADMIN_TOKEN_FILE || join(data, 'outway-admin-token');
  const instanceId = env.INSTANCE_ID || `outway-${hostname()}`;

  if (!existsSync(registryKeyFile)) fail(`no pinned registry key at ${registryKeyFile}: set REGISTRY_PUBLIC_KEY_FILE`);
  if (!existsSync(keyFile)) fail(`no private key of ${oin} at ${keyFile}: set ORGANISATION_KEY_FILE`);
  // Keys learned during a registry key rotation are kept beside the gateway's own keys.
  const learnedKeysFile = join(data, 'keys', 'registry.learned.jwks.json');
  const registryKey = pinnedRegistryKeys(registryKeyFile, learnedKeysFile);
  const privateKey = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const logKey = secretKey(logKeyFile);
  if (!existsSync(adminTokenPath)) writeSecretFile(adminTokenPath, `${randomBytes(32).toString('base64url')}\n`);
  const adminTokens = adminTokenFile(adminTokenPath);
  if (adminTokens().length === 0) fail(`no admin token in ${adminTokenPath}: one token a line`);

  const directory = registryDirectory({
    registryUrl,
    registryKey,
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
    previousLogKeys: previousLogKeys(),
    adminTokenHashes: adminTokens,
    timeoutMs: providerTimeoutMs,
    logger: log,
    metrics: telemetry.prometheus,
  });

  // pnpm start: one demo application, bound to the organisation's verwerkingsactiviteiten.
  const demoKeyFile = env.DEMO_APPLICATION_KEY_FILE;
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
  const host = bindHost(env);
  const listening = await listen({ fetch: outway.app.fetch, port, hostname: host, ...(tls ? { tls } : {}) });
  const organisation = directory.current().organisations.get(oin);
  log.info(
    {
      url: listening.url,
      oin,
      registry_url: registryUrl,
      database: databaseUrl.split('?')[0],
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
});
