/**
 * What a new pod of the Kubernetes manifest must find on its volume (a PersistentVolumeClaim at /data),
 * checked on pods `podman kube play` runs (kube-check.ts). Pods are replaced, as a node failure or
 * `kubectl rollout restart` replaces them, during a rotation of the registry's signing key done as the
 * README's Kubernetes section tells an operator (the key file is a read-only Secret there):
 *
 * 1. `registry admin rotate-key` in the registry's pod writes the next key to its volume; a new registry
 *    pod still has its admin token file and signs with both keys; the gateways learn the new key into
 *    keys/registry.learned.jwks.json on their volumes.
 * 2. The next key goes into the registry's Secret and leaves the volume; new pods of all three: the
 *    registry signs with the new key only; the inway and the outway, whose ConfigMap still pins only the
 *    old key, are ready because they kept the learned key, and each keeps its Merkle log (the same log id:
 *    INSTANCE_ID is fixed) and the inway its published head (its rollback guard's reference).
 *
 * Without the volumes (an emptyDir, or none) or with INSTANCE_ID from the pod's name, this fails.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { podman } from './podman.ts';

export const ROLES = ['registry', 'inway', 'outway'] as const;
export type Role = (typeof ROLES)[number];
const GATEWAYS = ['inway', 'outway'] as const;

/** The pods kube-check.ts played, as this check reaches them. */
export interface KubeCluster {
  /** Each server's port on 127.0.0.1. */
  readonly ports: Record<Role, number>;
  /** The container of a role's pod (for `podman exec`). */
  containerOf(role: Role): string;
  /** The folder that stands for a Secret volume (podman 4.3 mounts Secret volumes empty). */
  secretFolder(name: string): string;
  /** Removes the pods of `roles` and plays their Deployments again on the same volumes; resolves once they are ready. */
  newPods(what: string, roles: readonly Role[]): Promise<void>;
}

interface PublicKey {
  readonly x?: string;
  readonly y?: string;
}

/** The registry's next key, where `rotate-key` writes it (REGISTRY_NEXT_KEY_FILE's default on the volume). */
const NEXT_KEY_FILE = '/data/keys/registry.next.jwk.json';
const LEARNED_KEYS_FILE = '/data/keys/registry.learned.jwks.json';
const ADMIN_TOKEN_FILE = '/data/registry-admin-token';

const sameKey = (a: PublicKey, b: PublicKey) => a.x === b.x && a.y === b.y;

/**
 * Replaces pods during a registry key rotation and checks what each new pod found; reports one line per
 * finding. Throws, naming the step, when a new pod lost its state.
 */
export async function checkStateKept(cluster: KubeCluster, report: (line: string) => void): Promise<void> {
  const exec = async (role: Role, args: string[], step: string) => {
    const result = await podman(['exec', cluster.containerOf(role), ...args], { allowFailure: true });
    if (result.code !== 0)
      throw new Error(`${step}: ${role}: ${args.join(' ')} exited ${result.code}: ${result.output}`);
    return result.out;
  };
  const fileOf = (role: Role, path: string, step: string) => exec(role, ['cat', path], step);
  const json = async <T>(role: Role, path: string, step: string) => {
    const response = await fetch(`http://127.0.0.1:${cluster.ports[role]}${path}`);
    if (!response.ok) throw new Error(`${step}: ${role} answered ${path} with ${response.status}`);
    return (await response.json()) as T;
  };
  const logIdOf = async (role: Role, step: string) => {
    const ready = await json<{ merkle?: { log_id?: string } }>(role, '/readyz', step);
    const logId = ready.merkle?.log_id;
    if (!logId) throw new Error(`${step}: ${role}'s /readyz names no Merkle log: ${JSON.stringify(ready)}`);
    return logId;
  };
  const registryKeys = async (step: string) =>
    (await json<{ keys: PublicKey[] }>('registry', '/.well-known/jwks.json', step)).keys;
  /** A file on a pod's volume; one a server writes soon after it started gets ten seconds to appear. */
  const fileOn = async (role: Role, path: string, step: string) => {
    for (let tries = 0; ; tries++) {
      const found = await podman(['exec', cluster.containerOf(role), 'cat', path], { allowFailure: true });
      if (found.code === 0) return found.out;
      if (tries === 20) throw new Error(`${step}: ${role} has no ${path}: ${found.output.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  /** The inway's published head of its log (its rollback guard's reference; the first is signed at start). */
  const publishedHead = (role: Role, logId: string, step: string) =>
    fileOn(role, join('/data/published-heads', `${encodeURIComponent(logId)}.json`), step);
  /**
   * Waits until a gateway keeps `key` among the registry keys it learned: at the latest
   * DIRECTORY_MAX_AGE_SECONDS / 3 (300 s by default, 30 s as kube-check.ts plays it) plus a refresh after
   * the registry's restart; five and a half minutes at most, so that a manifest with the default fails
   * only slowly, not falsely.
   */
  const learned = async (role: Role, key: PublicKey, step: string) => {
    const deadline = Date.now() + 330_000;
    for (;;) {
      const found = await podman(['exec', cluster.containerOf(role), 'cat', LEARNED_KEYS_FILE], { allowFailure: true });
      const keys = found.code === 0 ? (JSON.parse(found.out) as { keys: PublicKey[] }).keys : [];
      if (keys.some((k) => sameKey(k, key))) return;
      if (Date.now() > deadline)
        throw new Error(`${step}: ${role} does not keep the registry's new key in ${LEARNED_KEYS_FILE}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };

  // Before: what the first pods made.
  let step = 'state of the first pods';
  const adminToken = await fileOf('registry', ADMIN_TOKEN_FILE, step);
  const logIds = Object.fromEntries(
    await Promise.all(GATEWAYS.map(async (role) => [role, await logIdOf(role, step)] as const)),
  ) as Record<(typeof GATEWAYS)[number], string>;
  await publishedHead('inway', logIds.inway, step);
  const [oldKey] = await registryKeys(step);
  if (!oldKey) throw new Error(`${step}: the registry publishes no key`);

  step = 'registry admin rotate-key in the registry pod';
  report(
    `${step}: ${(await exec('registry', ['node', '/app/dist/main.js', 'registry', 'admin', 'rotate-key'], step)).trim()}`,
  );
  const nextKeyFile = await fileOf('registry', NEXT_KEY_FILE, step);
  const nextKey = JSON.parse(nextKeyFile) as PublicKey;

  step = 'a new registry pod during the rotation';
  await cluster.newPods(step, ['registry']);
  if ((await fileOf('registry', ADMIN_TOKEN_FILE, step)) !== adminToken)
    throw new Error(`${step}: the registry's admin token file is not the one the first pod wrote`);
  const overlap = await registryKeys(step);
  if (overlap.length !== 2 || !overlap.some((k) => sameKey(k, nextKey)))
    throw new Error(
      `${step}: the registry does not sign with the next key from its volume: ${JSON.stringify(overlap)}`,
    );
  // The gateways fetch the directory every DIRECTORY_REFRESH_SECONDS (10), in full when theirs is a third of
  // DIRECTORY_MAX_AGE_SECONDS old: then they get the snapshot signed by both keys.
  for (const role of GATEWAYS) await learned(role, nextKey, step);
  report(`${step}: it kept its admin token and signs with both keys; inway and outway learned the new key`);

  // The README's retirement under Kubernetes: the next key becomes the Secret's, and leaves the volume.
  step = 'the next key into the Secret, off the volume';
  writeFileSync(join(cluster.secretFolder('poortwachter-registry-keys'), 'registry.jwk.json'), nextKeyFile);
  await exec('registry', ['rm', NEXT_KEY_FILE], step);

  // Ready (awaited by newPods) only with a directory verified by the new key, which the ConfigMap does not pin.
  step = 'new pods after the old key was retired';
  await cluster.newPods(step, ROLES);
  const after = await registryKeys(step);
  if (after.length !== 1 || !after.some((k) => sameKey(k, nextKey)) || after.some((k) => sameKey(k, oldKey)))
    throw new Error(`${step}: the registry should sign with the new key only: ${JSON.stringify(after)}`);
  for (const role of GATEWAYS) {
    const logId = await logIdOf(role, step);
    if (logId !== logIds[role])
      throw new Error(`${step}: ${role} started a new Merkle log ${logId}, not ${logIds[role]}`);
    await learned(role, nextKey, step);
  }
  const head = JSON.parse(await publishedHead('inway', logIds.inway, step)) as { head: { tree_size: number } };
  report(
    `${step}: the registry signs with the new key only; inway and outway (the ConfigMap pins only the old key) verified its directory with the key kept on their volumes, kept their logs (${Object.values(logIds).join(', ')}), and the inway its published head (size ${head.head.tree_size})`,
  );
}
