import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCheckpointBody,
  leafHash,
  logOrigin,
  NOTE_ECDSA,
  NOTE_ED25519,
  noteKeyFromJwk,
  REGISTRY_CHANGES_ORIGIN,
  rangeRoot,
  signCheckpoint,
} from '@poortwachter/protocol';
import { demoPrivateKey, startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSigningKey } from '../keys.ts';
import { trustedBy } from '../trusted-directory.ts';
import { directoryLogKeys, LogKeysUnavailableError } from './log-keys.ts';
import { openWitness } from './open-witness.ts';
import { startWitnessServer } from './witness-server.ts';

/** The logs a witness knows come from the registry's verified directory, with the anchored keys. */
describe('a witness that trusts the logs of the verified directory', () => {
  let registry: TestRegistry;
  let fetchRegistry: typeof fetch;
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
    fetchRegistry = async (input, init) => registry.app.request(String(input), init);
  });
  afterAll(async () => registry?.close());

  const keysOf = () =>
    directoryLogKeys({
      registryUrl: 'http://registry.test',
      registryKey: registry.registryPublicKey,
      trust: trustedBy(registry.trustAnchors),
      fetch: fetchRegistry,
    });

  it("knows each organisation's logs with its active Ed25519 keys, and no other origin", async () => {
    const logKeys = keysOf();
    const kadaster = logOrigin(DEMO_OIN.kadaster, 'brk-inway');
    const { d: _d, ...publicJwk } = demoPrivateKey(registry.keyDir, DEMO_OIN.kadaster);
    const keys = await logKeys.keysFor(kadaster);
    expect(keys?.map((k) => k.keyId)).toEqual([noteKeyFromJwk(kadaster, NOTE_ED25519, publicJwk).keyId]);
    // RvIG's key is P-256: its checkpoints carry ECDSA note signatures (type 0x02).
    const rvig = await logKeys.keysFor(logOrigin(DEMO_OIN.rvig, 'brp-inway'));
    expect(rvig?.map((k) => k.type)).toEqual([NOTE_ECDSA]);
    expect(await logKeys.keysFor(logOrigin('00000009999999999999', 'inway'))).toBeUndefined();
    expect(await logKeys.keysFor('example.com/another-log')).toBeUndefined();
    // The registry's change log, by the pinned registry key (P-256 here).
    const registryKeys = await logKeys.keysFor(REGISTRY_CHANGES_ORIGIN);
    expect(registryKeys?.map((k) => [k.name, k.type])).toEqual([[REGISTRY_CHANGES_ORIGIN, NOTE_ECDSA]]);
    expect(logKeys.status()).toMatchObject({ ready: true });
  });

  it("knows the registry's change log by a pinned Ed25519 registry key too", async () => {
    const { publicKey } = await generateSigningKey('ed25519');
    const logKeys = directoryLogKeys({
      registryUrl: 'http://registry.test',
      registryKey: publicKey,
      fetch: fetchRegistry,
    });
    const keys = await logKeys.keysFor(REGISTRY_CHANGES_ORIGIN);
    expect(keys?.map((k) => k.name)).toEqual([REGISTRY_CHANGES_ORIGIN]);
  });

  it('is not ready without a directory, and answers 503 until it has one', async () => {
    let up = false;
    const logKeys = directoryLogKeys({
      registryUrl: 'http://registry.test',
      registryKey: registry.registryPublicKey,
      trust: trustedBy(registry.trustAnchors),
      fetch: async (input, init) => {
        if (!up) throw new TypeError('fetch failed');
        return registry.app.request(String(input), init);
      },
      unknownRefreshMs: 0,
    });
    await logKeys.refresh();
    expect(logKeys.status()).toMatchObject({ ready: false, lastError: expect.stringContaining('cannot be reached') });
    await expect(logKeys.keysFor(logOrigin(DEMO_OIN.kadaster, 'brk-inway'))).rejects.toBeInstanceOf(
      LogKeysUnavailableError,
    );

    const dir = mkdtempSync(join(tmpdir(), 'poortwachter-witness-'));
    const witness = await openWitness({ name: 'poortwachter.test/getuige', dataDir: dir, logKeys });
    const server = await startWitnessServer(witness, { port: 0 });
    try {
      const origin = logOrigin(DEMO_OIN.kadaster, 'brk-inway');
      const note = await signCheckpoint(
        { origin, size: 1, rootHash: rangeRoot([leafHash('a')]) },
        demoPrivateKey(registry.keyDir, DEMO_OIN.kadaster),
      );
      const submit = () =>
        fetch(`${server.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(0, [], note) });
      expect((await submit()).status).toBe(503);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      up = true;
      // The registry is back: without any request the witness turns ready, and cosigns the log's
      // checkpoint signed with its anchored key.
      const unwatch = logKeys.watch();
      await vi.waitFor(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), { timeout: 5000 });
      unwatch();
      expect((await submit()).status).toBe(200);
      // A log whose key is P-256 (RvIG's) is cosigned as well.
      const rvigNote = await signCheckpoint(
        { origin: logOrigin(DEMO_OIN.rvig, 'brp-inway'), size: 1, rootHash: rangeRoot([leafHash('a')]) },
        demoPrivateKey(registry.keyDir, DEMO_OIN.rvig),
      );
      const rvig = await fetch(`${server.url}/add-checkpoint`, {
        method: 'POST',
        body: addCheckpointBody(0, [], rvigNote),
      });
      expect(rvig.status).toBe(200);
    } finally {
      await server.close();
      witness.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
