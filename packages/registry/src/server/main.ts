/**
 * The registry's server entry (composition root): reads its settings (./settings.ts; README:
 * Configuration), opens the database, runs migrations, makes the admin token and registry key on first
 * start, seeds the demo when POORTWACHTER_DEMO=true, and serves. `main.ts migrate` only migrates.
 *
 * `main.ts backup --to FILE` makes an online backup; `main.ts admin …` rotates the signing key and the
 * admin tokens (./admin-command.ts; README: Key rotation).
 */
import { join } from 'node:path';
import {
  cliCommandHere,
  createLogger,
  failSetting,
  listen,
  runServer,
  shownDatabaseUrl,
  startTelemetry,
  startupSettings,
  stopOnSignals,
  tlsFromEnv,
  withServerSpans,
} from '@poortwachter/operations';
import { writeFileAtomic } from '@poortwachter/sdk';
import { startChangeLogWitnessing } from '../directory/change-log-witnessing.ts';
import { createDirectoryPublisher } from '../directory/publisher.ts';
import { createRegistryApp } from '../http/app.ts';
import { backupCommand } from '../storage/backup-database.ts';
import type { RegistryDatabase } from '../storage/database.ts';
import { migrateRegistry } from '../storage/migrate.ts';
import { openDatabase } from '../storage/open-database.ts';
import { ensureAdminToken } from './admin-token-file.ts';
import { bindHost, isLoopback, urlHost } from './bind-host.ts';
import { groupIdOf, registryTrust } from './contract-trust.ts';
import { loadRegistryKeys, publicJwkOf } from './key-files.ts';
import { maintenanceHelp } from './maintenance-help.ts';
import { registryPlaces } from './places.ts';
import { seedDemoRegistry } from './seed-demo.ts';
import { registrySettings } from './settings.ts';

const log = createLogger('registry');
const help = maintenanceHelp(process.argv.slice(2));

if (help) process.stdout.write(`${help}\n`);
else if (process.argv[2] === 'migrate') {
  await runServer(log, async () => {
    const settings = startupSettings(log, registrySettings);
    const { db, close } = openDatabase<RegistryDatabase>(registryPlaces(settings).databaseUrl);
    try {
      const version = await migrateRegistry(db as never, { groupId: groupIdOf(settings) });
      log.info({ version }, `registry database migrated: version ${version}`);
    } finally {
      await close();
    }
  });
} else if (process.argv[2] === 'backup') {
  // `main.ts backup --to FILE`: an online backup of the database, beside the running registry.
  await runServer(log, async () => {
    const settings = startupSettings(log, registrySettings);
    process.exit(await backupCommand(process.argv.slice(3), registryPlaces(settings).databaseUrl));
  });
} else if (process.argv[2] === 'admin') {
  const { adminCommand } = await import('./admin-command.ts');
  process.exitCode = await adminCommand(process.argv.slice(3));
} else await runServer(log, serve);

async function serve() {
  const env = process.env;
  const started = performance.now();
  const settings = startupSettings(log, registrySettings, env);
  const telemetry = startTelemetry('poortwachter-registry', env);
  const demo = settings.POORTWACHTER_DEMO;
  const { data, databaseUrl, keyFile, nextKeyFile, tokenFile } = registryPlaces(settings);
  const port = settings.PORT;
  const resignSeconds = settings.DIRECTORY_RESIGN_SECONDS;
  const drainTimeoutMs = settings.DRAIN_TIMEOUT_SECONDS * 1000;
  const tls = tlsFromEnv(env, failSetting);

  const groupId = groupIdOf(settings);
  const { db, close } = openDatabase<RegistryDatabase>(databaseUrl);
  await migrateRegistry(db as never, { groupId });
  const tokenCreated = await ensureAdminToken(db, tokenFile);
  // During a key rotation the next key signs beside the current one (see README, "Key rotation"); a demo
  // key in production, or a file that holds no key, stops the start naming the setting.
  const { keys: registryKeys, created: keyCreated } = await loadRegistryKeys(keyFile, nextKeyFile, { demo });
  // The public key, for pinning by gateways and clients on this machine (both keys during a rotation).
  const publicKeyFile = join(data, 'keys', 'registry.public.jwk.json');
  const pinnable =
    registryKeys.length === 1 ? publicJwkOf(registryKeys[0] ?? {}) : { keys: registryKeys.map(publicJwkOf) };
  // Atomically: gateways and the CLI on this machine read it, also while the registry (re)starts.
  writeFileAtomic(publicKeyFile, `${JSON.stringify(pinnable, null, 2)}\n`);
  const seeded = demo
    ? await seedDemoRegistry(db, {
        keyDir: join(data, 'keys'),
        gatewayUrl: settings.GATEWAY_PUBLIC_URL,
        brkGatewayUrl: settings.BRK_GATEWAY_PUBLIC_URL,
        identityProviderUrl: settings.IDP_PUBLIC_URL,
        identityProviderIntrospection: true,
        portalOrigins: settings.PORTAL_ORIGINS,
        groupId,
        ...(settings.WITNESS_REGISTRY_PUBLIC_URL && settings.WITNESS_AP_PUBLIC_URL
          ? {
              witnessUrls: {
                'getuige-registry': settings.WITNESS_REGISTRY_PUBLIC_URL,
                'getuige-ap': settings.WITNESS_AP_PUBLIC_URL,
              },
            }
          : {}),
      })
    : false;
  // After the seed: in the demo the anchor is the demo CA it made.
  const trust = registryTrust(settings, data);
  if (trust.anchors.length === 0) {
    log.warn(
      'TRUST_ANCHORS_FILE is not set: no organisation key is anchored, so no contract can be proposed or signed and no organisation can change its own records (set it to the PEM bundle of the trust anchors, e.g. the PKIoverheid roots)',
    );
  }
  const publisher = await createDirectoryPublisher(db, registryKeys, { resignAfterMs: resignSeconds * 1000 });
  // The change log's heads go to the witnesses the registry's own directory lists, in the background.
  const witnessing = await startChangeLogWitnessing({ db, publisher, logger: log });
  const app = createRegistryApp({
    db,
    publisher,
    witnessing,
    trust,
    metrics: telemetry.prometheus,
    ...(settings.REGISTRY_PUBLIC_URL ? { publicUrl: settings.REGISTRY_PUBLIC_URL } : {}),
  });
  const serial = await publisher.serial();

  const host = bindHost({ HOST: settings.HOST });
  const listening = await listen({
    fetch: withServerSpans('@poortwachter/registry', app.fetch),
    port,
    hostname: host,
    ...(tls ? { tls } : {}),
  });
  {
    const base = `${tls ? 'https' : 'http'}://${isLoopback(host) ? 'localhost' : urlHost(host)}:${listening.port}`;
    const cli = cliCommandHere();
    const lines = [
      `poortwachter registry listening on ${base} (database ${shownDatabaseUrl(databaseUrl)}, serial ${serial})`,
      keyCreated ? `  made the registry signing key: ${keyFile}` : undefined,
      registryKeys.length > 1 ? `  rotating: signing with ${keyFile} and ${nextKeyFile}` : undefined,
      tokenCreated ? `  made the admin token (stored only as a hash): ${tokenFile}` : undefined,
      seeded
        ? `  seeded the demo registry; demo organisations' private keys are in ${join(data, 'keys')}/<OIN>.jwk.json`
        : undefined,
      '',
      `  read the signed directory:   curl -s ${base}/v1/directory`,
      `  verify and summarise it:     ${cli} directory --registry ${base}`,
      `  the registry's public key:   curl -s ${base}/.well-known/jwks.json   (pinned copy: ${publicKeyFile})`,
      `  records (public reads):      curl -s ${base}/v1/organisations   (also /v1/services, /v1/grondslagen, /v1/processing-activities, /v1/contracts)`,
      `  contracts (signed by both):  ${cli} contract list --registry ${base}   (propose, accept, reject, revoke)`,
      `  change something (admin):    curl -H "Authorization: Bearer $(cat ${tokenFile})" -H 'content-type: application/json' -X POST ${base}/v1/grondslagen -d @grondslag.json`,
      `  witnesses and their quorum:  ${cli} registry witness list --registry ${base}   (add, remove, quorum: admin token)`,
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
        await witnessing.stop();
        await close();
      } finally {
        await telemetry.shutdown();
      }
    },
  });
}
