import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { expect } from 'vitest';
import type { RawJwk } from '../adversarial/raw-client.ts';
import { runCli } from '../run-process.ts';
import type { RunningSystem } from '../start-system.ts';
import { type EntryProcess, gatewayInstanceEnv, querySuzanne, runEntry } from './server-entry.ts';

export const GATEWAY_ENTRY = 'packages/gateway/src/server/main.ts';

/**
 * A BRP gateway instance (the server entry as a process) that the directory publishes as the BRP
 * service, so `poortwachter log verify` checks its log: its own port, database and instance id
 * (its Merkle log's id), the system's registry, source and keys.
 */
export function publishedInstance(
  system: RunningSystem,
  options: { port: number; database: string; instanceId: string },
) {
  const url = `http://127.0.0.1:${options.port}`;
  const key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
  const registry = `http://127.0.0.1:${system.ports.registry}`;
  const env = (more: Record<string, string> = {}) => ({
    ...gatewayInstanceEnv(system, options),
    DIRECTORY_REFRESH_SECONDS: '1',
    ...more,
  });
  return {
    url,
    /** Its settings, with `more` on top. */
    env,
    /** Publishes the BRP service at this instance in the registry (the system's own gateway stays where it is). */
    async publish() {
      const token = readFileSync(join(system.data, 'registry-admin-token'), 'utf8').trim();
      const admin = async (method: 'GET' | 'PUT', body?: unknown) => {
        const res = await fetch(`${registry}/v1/services/brp-personen`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(res.status, await res.clone().text()).toBeLessThan(300);
        return (await res.json()) as Record<string, unknown>;
      };
      const { providerOin, name, protocol, fieldCatalogue, dataSubjectPaths, searchParameters } = await admin('GET');
      await admin('PUT', {
        providerOin,
        name,
        gatewayUrl: `http://localhost:${options.port}`,
        protocol,
        fieldCatalogue,
        dataSubjectPaths,
        searchParameters,
      });
    },
    /** Starts the entry (with `more` settings) and waits until it listens. */
    async start(more: Record<string, string> = {}): Promise<EntryProcess> {
      const running = runEntry(GATEWAY_ENTRY, env(more));
      if (!(await running.printed('listening on', 60_000))) {
        running.child.kill('SIGKILL');
        throw new Error(`the gateway did not start:\n${running.output()}`);
      }
      return running;
    },
    /** Utrecht's Wmo query, signed for this instance as the directory publishes it. */
    query: () => querySuzanne(url, options.port, key),
    /** The size of the newest signed head of the instance's log, as its log API serves it (0 when none). */
    async signedSize(): Promise<number> {
      const { heads } = (await (await fetch(`${url}/log/v1/heads`)).json()) as {
        heads: { log_id: string; jws: string }[];
      };
      const jws = heads.find((h) => h.log_id === options.instanceId)?.jws;
      return jws
        ? (JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as { tree_size: number }).tree_size
        : 0;
    },
    /** Waits until a signed head covers at least `size` leaves. */
    async signed(size: number) {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
        if ((await this.signedSize()) >= size) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`no signed head of size ${size}`);
    },
    /** `poortwachter log verify` as an auditor (the CLI as a process), with its heads in `headsFile`. */
    logVerify: (headsFile: string, ...more: string[]) =>
      runCli(['log', 'verify', '--heads', headsFile, ...more], {
        env: { DATA_DIR: system.data, REGISTRY_URL: registry },
      }),
  };
}

/** The documented SQLite restore, the server stopped: the backup copied over the database, its old WAL removed. */
export function restoreSqlite(backup: string, database: string) {
  rmSync(`${database}-wal`, { force: true });
  rmSync(`${database}-shm`, { force: true });
  copyFileSync(backup, database);
}
