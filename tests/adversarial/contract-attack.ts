/**
 * The stage for the contract attacks (issue 28): `pnpm start`'s system, a registry gone bad in front of
 * it (forged-directory.ts, signing with the real registry key from the system's DATA_DIR), and another
 * instance of the BRP inway (the unchanged server entry, as a process) whose REGISTRY_URL points at the
 * bad registry. Requests are raw signed HTTP (raw-client.ts) with the demo organisations' own keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { type EntryProcess, gatewayInstanceEnv, startEntry } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { type ForgedRegistry, realSnapshot, startForgedRegistry } from './forged-directory.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

export const BRP = 'brp-personen';
export const SUZANNE = '999993653';

/** A directory payload as the tests edit it: plain JSON. */
export type Snapshot = Record<string, unknown> & {
  organisations: { oin: string; keys: Record<string, unknown>[] }[];
  contracts?: Contract[];
  autorisaties: unknown[];
};
export interface Contract {
  hash: string;
  content: {
    grants: [
      {
        data: {
          outway: { peer_id: string };
          service: { name: string; peer_id: string };
          properties: Record<string, unknown>;
        };
      },
    ];
  } & Record<string, unknown>;
  signatures: string[];
}

export interface Stage {
  readonly system: RunningSystem;
  readonly forged: ForgedRegistry;
  readonly inway: EntryProcess;
  /** Where the inway that follows the bad registry listens. */
  readonly inwayUrl: string;
  /** The real registry's directory when the stage was set (demo contracts in force). */
  readonly base: Snapshot;
  key(oin: string): RawJwk;
  /** Publishes `snapshot` at the bad registry and waits until the inway decides with it. */
  serve(snapshot: Snapshot): Promise<void>;
  /** A query for Suzanne's voornamen, signed with `key` under `activity`, at the inway following the bad registry. */
  ask(key: RawJwk, activity: string, url?: string): Promise<Response>;
  close(): Promise<void>;
}

/** The stage: the system, the bad registry serving the real directory, and the inway following it. */
export async function setStage(): Promise<Stage> {
  const system = await startSystem();
  const registryUrl = `http://127.0.0.1:${system.ports.registry}`;
  const base = (await realSnapshot(registryUrl)) as Snapshot;
  const forged = await startForgedRegistry({
    registryKeyFile: join(system.data, 'keys', 'registry.jwk.json'),
    upstream: registryUrl,
  });
  forged.publish(base);
  const port = await freePort();
  let inway: EntryProcess;
  try {
    inway = await startEntry('packages/gateway/src/server/main.ts', {
      ...gatewayInstanceEnv(system, {
        port,
        database: join(system.data, 'following-bad-registry.db'),
        instanceId: 'following-bad-registry',
      }),
      REGISTRY_URL: forged.url,
      DIRECTORY_REFRESH_SECONDS: '1',
    });
  } catch (error) {
    await forged.close();
    await system.stop();
    throw error;
  }
  const inwayUrl = `http://127.0.0.1:${port}`;
  const stage: Stage = {
    system,
    forged,
    inway,
    inwayUrl,
    base,
    key: (oin) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk,
    async serve(snapshot) {
      const serial = forged.publish(snapshot);
      for (let i = 0; i < 200; i++) {
        const ready = (await (await fetch(`${inwayUrl}/readyz`)).json()) as { directory?: { serial?: number } };
        if ((ready.directory?.serial ?? 0) >= serial) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the inway did not take the bad registry's serial ${serial}:\n${inway.output()}`);
    },
    ask: (key, activity, url = inwayUrl) =>
      sendRaw(url, {
        method: 'POST',
        // Signed for the service's URL as the directory publishes it, whichever instance receives it.
        targetUri: `http://localhost:${system.ports.gateway}/personen`,
        key,
        processingActivity: activity,
        body: JSON.stringify({
          type: 'RaadpleegMetBurgerservicenummer',
          burgerservicenummer: [SUZANNE],
          fields: ['naam.voornamen'],
        }),
      }),
    async close() {
      await inway.stop();
      await forged.close();
      await system.stop();
    },
  };
  return stage;
}

/** The real contract of Utrecht's Wmo activity on the BRP (the demo seed's, signed by both). */
export function utrechtWmo(snapshot: Snapshot, activity: string): Contract {
  const found = (snapshot.contracts ?? []).find(
    (c) =>
      c.content.grants[0].data.outway.peer_id === DEMO_OIN.utrecht &&
      c.content.grants[0].data.service.name === BRP &&
      c.content.grants[0].data.properties.processing_activity_id === activity,
  );
  if (!found) throw new Error('the demo directory has no contract for Utrecht Wmo on the BRP');
  return found;
}

/** `snapshot` without any contract of `afnemer` on the BRP, plus `extra` (and whatever `edit` does). */
export function withContracts(snapshot: Snapshot, afnemer: string, extra: Contract[], edit?: (s: Snapshot) => void) {
  const copy = structuredClone(snapshot);
  copy.contracts = [
    ...(copy.contracts ?? []).filter(
      (c) => !(c.content.grants[0].data.outway.peer_id === afnemer && c.content.grants[0].data.service.name === BRP),
    ),
    ...extra,
  ];
  edit?.(copy);
  return copy;
}

/** Adds keys (as the directory lists them) to organisation `oin` of `snapshot`. */
export function addKeys(snapshot: Snapshot, oin: string, ...keys: Record<string, unknown>[]) {
  const organisation = snapshot.organisations.find((o) => o.oin === oin);
  if (!organisation) throw new Error(`no organisation ${oin}`);
  organisation.keys.push(...keys);
}

/** The status and the problem's `code` of a refused answer (its body read). */
export async function outcome(res: Response): Promise<{ status: number; code: string | undefined }> {
  const body = (await res.json().catch(() => ({}))) as { code?: string };
  return { status: res.status, code: body.code };
}
