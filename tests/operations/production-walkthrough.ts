/**
 * README "In a datacentre: from image to first query", run as an operator follows it, in production
 * (no POORTWACHTER_DEMO): every command below is one of the walkthrough's, in its order, from the folder
 * `pnpm --filter @poortwachter/server deploy --prod` made, with plain node. Where the README uses `curl`
 * this uses `fetch` with the same method, header and body (and `$(cat …)`/`base64` are read here): those
 * are the only differences, and each step names its README step. Ports and folders are the test's own.
 *
 * Keep the two in step: a change to a command in the README is a change here.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runProcess } from '../run-process.ts';
import { freePorts, root } from '../start-system.ts';
import { type EntryProcess, runNode } from './server-entry.ts';

/** The fictitious OINs of the walkthrough: a bronhouder (RvIG's role) and an afnemer (a gemeente). */
export const WALKTHROUGH_OIN = { bronhouder: '00000001999000000001', afnemer: '00000001999000000002' } as const;
const ACTIVITY = 'https://www.voorbeeldgemeente.nl/verwerkingsactiviteiten/wmo-maatwerkvoorziening';

/** Plain node in production: no loader flags, no demo, nothing of the test's own environment that counts. */
const PRODUCTION = {
  NODE_OPTIONS: undefined,
  POORTWACHTER_DEMO: undefined,
  DATA_DIR: undefined,
  DATABASE_URL: undefined,
  TRUST_ANCHORS_FILE: undefined,
  REGISTRY_URL: undefined,
};

/** Waits until `url` answers 2xx; throws with what the process printed when it stops or does not. */
export async function answers(url: string, server: EntryProcess, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (server.child.exitCode !== null) break;
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer:\n${server.output()}`);
}

/**
 * Runs the walkthrough in `work` (its folders: `srv/…` the servers' volumes, `ca`, `bronhouder`,
 * `afnemer` the organisations' own) against the deployed folder `deployed`; servers it starts are pushed
 * to `started` (the caller stops them). Returns the outway's answer to the first query and the
 * registry's start output.
 */
export async function runProductionWalkthrough(
  deployed: string,
  work: string,
  started: EntryProcess[],
): Promise<{ answer: Response; registryOutput: string }> {
  const [registryPort, sourcePort, inwayPort, outwayPort] = await freePorts(4);
  const registryUrl = `http://localhost:${registryPort}`;
  const inwayUrl = `http://localhost:${inwayPort}`;
  const run = async (command: string, args: readonly string[], env: Record<string, string | undefined> = {}) => {
    const done = await runProcess(command, args, { cwd: work, env: { ...PRODUCTION, ...env } });
    expect(done.code, `${command} ${args.join(' ')}\n${done.output}`).toBe(0);
    return done.out;
  };
  // `node /opt/poortwachter/dist/main.js …`: the README's `node dist/main.js …` from the deployed folder.
  const main = join(deployed, 'dist/main.js');
  // `export TRUST_ANCHORS_FILE=$PWD/trust-anchors.pem` (step 3): the CLI reads it too.
  const cli = (args: readonly string[]) =>
    run(process.execPath, [main, 'cli', ...args], { TRUST_ANCHORS_FILE: join(work, 'trust-anchors.pem') });
  // A server from the deployed folder, as the README starts it there (`node dist/main.js <role>`).
  const serve = (role: string, env: Record<string, string>) => {
    const server = runNode(['dist/main.js', role], { ...PRODUCTION, ...env }, deployed);
    started.push(server);
    return server;
  };
  for (const dir of ['ca', 'bronhouder', 'afnemer', 'srv/registry', 'srv/inway/keys', 'srv/outway/keys'])
    mkdirSync(join(work, dir), { recursive: true });
  const trustAnchors = join(work, 'trust-anchors.pem');

  // Step 1: the trust anchors (here a test CA of our own; in production the PKIoverheid roots).
  await run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', 'ca/ca.key']);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca/ca.key',
    '-subj',
    '/C=NL/O=Test/CN=Test CA',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'trust-anchors.pem',
  ]);
  writeFileSync(join(work, 'ca/leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');

  // Step 2: each organisation's key and its certificate naming its OIN (serialNumber), issued by the CA.
  const publicJwk: Record<string, string> = {};
  const x5c: Record<string, string> = {};
  for (const [org, name] of [
    ['bronhouder', 'Voorbeeld Bronhouder'],
    ['afnemer', 'Voorbeeldgemeente'],
  ] as const) {
    publicJwk[org] = await cli(['keys', 'generate', '--out', `${org}/key.jwk.json`, '--pem', `${org}/key.pem`]);
    const oin = WALKTHROUGH_OIN[org];
    await run('openssl', [
      'req',
      '-new',
      '-key',
      `${org}/key.pem`,
      '-subj',
      `/C=NL/O=${name}/CN=${name}/serialNumber=${oin}`,
      '-out',
      `${org}/key.csr`,
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      `${org}/key.csr`,
      '-CA',
      'trust-anchors.pem',
      '-CAkey',
      'ca/ca.key',
      '-days',
      '365',
      '-extfile',
      'ca/leaf.ext',
      '-out',
      `${org}/cert.pem`,
    ]);
    // `openssl x509 -in cert.pem -outform der | base64 -w0`: the base64 between the PEM's markers.
    x5c[org] = readFileSync(join(work, org, 'cert.pem'), 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
  }

  // Step 3: the registry, production (no seed), the trust anchors set; its migrations first.
  const registryEnv = {
    DATA_DIR: join(work, 'srv/registry'),
    PORT: String(registryPort),
    TRUST_ANCHORS_FILE: trustAnchors,
  };
  await run(process.execPath, [main, 'registry', 'migrate'], registryEnv);
  const registry = serve('registry', registryEnv);
  await answers(`${registryUrl}/readyz`, registry);
  const token = readFileSync(join(work, 'srv/registry/registry-admin-token'), 'utf8').trim();
  copyFileSync(join(work, 'srv/registry/keys/registry.public.jwk.json'), join(work, 'registry.public.jwk.json'));
  const operator = async (path: string, body: unknown) => {
    const res = await fetch(`${registryUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, `POST ${path}: ${await res.clone().text()}`).toBe(201);
  };

  // Step 4: the operator onboards both organisations with their first key and its certificate, the
  // grondslag, and the bronhouder's service (docs/datacentre/brp-personen.service.json, filled in by sed).
  await operator('/v1/organisations', {
    oin: WALKTHROUGH_OIN.bronhouder,
    name: 'Voorbeeld Bronhouder',
    kind: 'rijk',
    roles: ['bronhouder'],
    keys: [{ jwk: JSON.parse(publicJwk.bronhouder as string), x5c: [x5c.bronhouder] }],
  });
  await operator('/v1/organisations', {
    oin: WALKTHROUGH_OIN.afnemer,
    name: 'Voorbeeldgemeente',
    kind: 'gemeente',
    roles: ['afnemer'],
    keys: [{ jwk: JSON.parse(publicJwk.afnemer as string), x5c: [x5c.afnemer] }],
  });
  await operator('/v1/grondslagen', {
    id: 'wet-brp-art-3.3',
    title: 'Verstrekking van gegevens uit de BRP aan overheidsorganen',
    lawName: 'Wet basisregistratie personen',
    article: 'art. 3.3',
    bwbId: 'BWBR0033715',
    url: 'https://wetten.overheid.nl/jci1.3:c:BWBR0033715&artikel=3.3',
    avgBasis: 'e',
  });
  await run('sed', [
    '-e',
    `s|@BRONHOUDER_OIN@|${WALKTHROUGH_OIN.bronhouder}|`,
    '-e',
    `s|@INWAY_URL@|${inwayUrl}|`,
    join(root, 'docs/datacentre/brp-personen.service.json'),
  ]).then((service) => writeFileSync(join(work, 'brp-service.json'), service));
  await operator('/v1/services', JSON.parse(readFileSync(join(work, 'brp-service.json'), 'utf8')));

  // Step 5: the afnemer enters its verwerkingsactiviteit (a request signed with its own key), proposes the
  // contract, and the bronhouder accepts it: in force, signed by both.
  writeFileSync(
    join(work, 'afnemer/activity.json'),
    JSON.stringify({
      id: ACTIVITY,
      name: 'Wmo-maatwerkvoorziening',
      doel: 'Onderzoeken welke ondersteuning iemand nodig heeft na een hulpvraag.',
      grondslagIds: ['wet-brp-art-3.3'],
      responsibleOin: WALKTHROUGH_OIN.afnemer,
      bewaartermijn: 'P15Y',
      vertrouwelijkheid: 'normaal',
    }),
  );
  const common = ['--registry', registryUrl, '--registry-key', 'registry.public.jwk.json']; // $REG
  await cli([
    'registry',
    'change',
    '--registry',
    registryUrl,
    '--key',
    'afnemer/key.jwk.json',
    '--path',
    '/v1/processing-activities',
    '--body',
    'afnemer/activity.json',
  ]);
  const proposed = await cli([
    'contract',
    'propose',
    '--oin',
    WALKTHROUGH_OIN.afnemer,
    '--key',
    'afnemer/key.jwk.json',
    ...common,
    '--service',
    'brp-personen',
    '--activity',
    ACTIVITY,
    '--grondslag',
    'wet-brp-art-3.3',
    '--fields',
    'burgerservicenummer,naam.voornamen,naam.geslachtsnaam',
    '--search-types',
    'RaadpleegMetBurgerservicenummer',
    '--until',
    `${new Date().getUTCFullYear() + 1}-12-31`,
    '--group',
    'poortwachter',
  ]);
  const hash = /^contract (\S+)$/m.exec(proposed)?.[1];
  expect(hash, proposed).toBeDefined();
  await cli([
    'contract',
    'accept',
    hash as string,
    '--oin',
    WALKTHROUGH_OIN.bronhouder,
    '--key',
    'bronhouder/key.jwk.json',
    ...common,
  ]);
  const listed = await cli(['contract', 'list', '--oin', WALKTHROUGH_OIN.afnemer, ...common, '--json']);
  expect(JSON.parse(listed)).toMatchObject([{ hash, state: 'inForce' }]);

  // Step 6: the keys onto the volumes: the private key of each organisation (0600), the pinned registry
  // key and the trust anchors.
  for (const [volume, org] of [
    ['inway', 'bronhouder'],
    ['outway', 'afnemer'],
  ] as const) {
    const keyFile = join(work, 'srv', volume, 'keys/organisation.jwk.json');
    copyFileSync(join(work, org, 'key.jwk.json'), keyFile);
    chmodSync(keyFile, 0o600);
    copyFileSync(join(work, 'registry.public.jwk.json'), join(work, 'srv', volume, 'keys/registry.public.jwk.json'));
    copyFileSync(trustAnchors, join(work, 'srv', volume, 'trust-anchors.pem'));
    rmSync(join(work, org, 'key.pem'));
  }

  // Step 7: the source, the bronhouder's inway and the afnemer's outway, in production.
  const source = serve('brp-source', { PORT: String(sourcePort) });
  await answers(`http://localhost:${sourcePort}/healthz`, source);
  const volume = (name: string) => ({
    DATA_DIR: join(work, 'srv', name),
    REGISTRY_URL: registryUrl,
    REGISTRY_PUBLIC_KEY_FILE: join(work, 'srv', name, 'keys/registry.public.jwk.json'),
    TRUST_ANCHORS_FILE: join(work, 'srv', name, 'trust-anchors.pem'),
  });
  const inway = serve('inway', {
    ...volume('inway'),
    PORT: String(inwayPort),
    SERVICE_ID: 'brp-personen',
    SOURCE_URL: `http://localhost:${sourcePort}`,
    SIGNING_KEY_FILE: join(work, 'srv/inway/keys/organisation.jwk.json'),
  });
  const outway = serve('outway', {
    ...volume('outway'),
    PORT: String(outwayPort),
    ORGANISATION_OIN: WALKTHROUGH_OIN.afnemer,
    ORGANISATION_KEY_FILE: join(work, 'srv/outway/keys/organisation.jwk.json'),
  });
  await answers(`${inwayUrl}/readyz`, inway);
  await answers(`http://localhost:${outwayPort}/readyz`, outway);

  // Step 8: the first query: an application at the outway, bound to the verwerkingsactiviteit, asks.
  const outwayToken = readFileSync(join(work, 'srv/outway/outway-admin-token'), 'utf8').trim();
  const registered = await fetch(`http://localhost:${outwayPort}/admin/v1/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${outwayToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Zaaksysteem', processingActivities: [ACTIVITY] }),
  });
  const application = (await registered.json()) as { apiKey?: string };
  expect(registered.status, JSON.stringify(application)).toBe(201);
  const answer = await fetch(`http://localhost:${outwayPort}/brp-personen/personen`, {
    method: 'POST',
    headers: {
      'x-api-key': application.apiKey as string,
      'processing-activity': ACTIVITY,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam.voornamen', 'naam.geslachtsnaam'],
    }),
  });
  return { answer, registryOutput: registry.output() };
}
