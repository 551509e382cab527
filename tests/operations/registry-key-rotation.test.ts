import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJwk } from '../adversarial/raw-client.ts';
import { runEntry as runToEnd } from '../run-process.ts';
import { freePorts } from '../start-system.ts';
import { type EntryProcess, querySuzanne, startEntry } from './server-entry.ts';

const REGISTRY = 'packages/registry/src/server/main.ts';
const GATEWAY = 'packages/gateway/src/server/main.ts';

/**
 * The registry rotates its signing key while a gateway that pinned only the old key keeps serving:
 * before, during the overlap (it learns the new key from a snapshot signed by both) and after the old
 * key is retired, also after a restart. A gateway that never saw the overlap refuses the new key.
 */
describe('registry signing key rotation without downtime', () => {
  const data = mkdtempSync(join(tmpdir(), 'poortwachter-rotation-'));
  const gatewayData = join(data, 'gateway');
  const strangerData = join(data, 'stranger');
  const oldPinned = join(data, 'pinned-old.jwk.json');
  let ports: { registry: number; source: number; gateway: number; stranger: number };
  let registry: EntryProcess;
  const running: EntryProcess[] = [];
  let utrecht: RawJwk;

  const startRegistry = async () => {
    registry = await startEntry(REGISTRY, {
      PORT: String(ports.registry),
      DATA_DIR: data,
      POORTWACHTER_DEMO: 'true',
      GATEWAY_PUBLIC_URL: `http://localhost:${ports.gateway}`,
      DIRECTORY_RESIGN_SECONDS: '1',
      DRAIN_TIMEOUT_SECONDS: '1',
    });
    running.push(registry);
  };
  const startGateway = async (port: number, dir: string) => {
    const gateway = await startEntry(GATEWAY, {
      PORT: String(port),
      DATA_DIR: dir,
      REGISTRY_URL: `http://localhost:${ports.registry}`,
      REGISTRY_PUBLIC_KEY_FILE: oldPinned,
      SOURCE_URL: `http://localhost:${ports.source}`,
      SIGNING_KEY_FILE: join(data, 'keys', `${DEMO_OIN.rvig}.jwk.json`),
      TRUST_ANCHORS_FILE: join(data, 'keys', 'demo-ca.pem'),
      DIRECTORY_REFRESH_SECONDS: '1',
      DIRECTORY_MAX_AGE_SECONDS: '15',
      DRAIN_TIMEOUT_SECONDS: '1',
    });
    running.push(gateway);
    return gateway;
  };
  const admin = async (...args: string[]) => {
    const result = await runToEnd(REGISTRY, ['admin', ...args], { env: { DATA_DIR: data } });
    expect(result.code, result.output).toBe(0);
    return result.out;
  };
  const query = async (port: number) => (await querySuzanne(`http://127.0.0.1:${port}`, ports.gateway, utrecht)).status;
  const jwksKids = async () =>
    (
      (await (await fetch(`http://127.0.0.1:${ports.registry}/.well-known/jwks.json`)).json()) as { keys: RawJwk[] }
    ).keys
      .map((k) => k.kid)
      .sort();
  /** Waits until the gateway's directory was issued after `since` (it took a snapshot of the restarted registry). */
  const tookSnapshotAfter = async (port: number, since: number) => {
    for (let i = 0; i < 120; i++) {
      const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
        directory: { issuedAt?: string };
      };
      if (Date.parse(ready.directory.issuedAt ?? '') > since) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  };

  beforeAll(async () => {
    const [registryPort, source, gateway, stranger] = (await freePorts(4)) as [number, number, number, number];
    ports = { registry: registryPort, source, gateway, stranger };
    await startRegistry();
    copyFileSync(join(data, 'keys', 'registry.public.jwk.json'), oldPinned);
    running.push(await startEntry('examples/brp-source/src/server.ts', { PORT: String(source) }));
    utrecht = JSON.parse(readFileSync(join(data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    mkdirSync(gatewayData);
    mkdirSync(strangerData);
  }, 90_000);
  afterAll(async () => {
    for (const process of running.reverse()) if (process.child.exitCode === null) await process.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('keeps a gateway pinned to the old key serving before, during and after the rotation', async () => {
    const oldKid = (JSON.parse(readFileSync(oldPinned, 'utf8')) as RawJwk).kid;
    let gateway = await startGateway(ports.gateway, gatewayData);
    expect(await query(ports.gateway)).toBe(200);

    // Overlap: the next key signs beside the old one, and both are in the JWKS.
    expect(await admin('rotate-key')).toMatch(/made the next registry key (\S+)/);
    await registry.stop();
    await startRegistry();
    const kids = await jwksKids();
    expect(kids).toHaveLength(2);
    expect(kids).toContain(oldKid);
    const newKid = kids.find((k) => k !== oldKid);
    const multi = await fetch(`http://127.0.0.1:${ports.registry}/v1/directory`, {
      headers: { accept: 'application/jose+json' },
    });
    expect(multi.headers.get('content-type')).toBe('application/jose+json');
    expect(((await multi.json()) as { signatures: unknown[] }).signatures).toHaveLength(2);
    expect(await gateway.printed("learned the registry's new signing key", 30_000), gateway.output()).toBe(true);
    expect(gateway.output()).toContain(newKid);
    expect(await query(ports.gateway)).toBe(200);
    expect(existsSync(join(gatewayData, 'keys', 'registry.learned.jwks.json'))).toBe(true);

    // After: the old key is retired, the registry signs with the new one only.
    await admin('retire-key');
    await registry.stop();
    const restartedAt = Date.now();
    await startRegistry();
    expect(await jwksKids()).toEqual([newKid]);
    expect(await tookSnapshotAfter(ports.gateway, restartedAt), gateway.output()).toBe(true);
    expect(await query(ports.gateway)).toBe(200);

    // A restart after the overlap: the pinned file still holds the old key only; the learned one is kept.
    await gateway.stop();
    gateway = await startGateway(ports.gateway, gatewayData);
    expect(await query(ports.gateway)).toBe(200);

    // A gateway that pinned the old key and never saw the overlap refuses a snapshot signed by the new key only.
    const stranger = await startGateway(ports.stranger, strangerData);
    expect(await query(ports.stranger)).toBe(503);
    const ready = (await (await fetch(`http://127.0.0.1:${ports.stranger}/readyz`)).json()) as {
      directory: { lastError?: string };
    };
    expect(ready.directory.lastError).toMatch(/not a pinned key/);
    await stranger.stop();
  }, 180_000);
});
