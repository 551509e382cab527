import {
  DIRECTORY_TYP,
  DirectoryVerificationError,
  verifyDirectory,
  verifyDirectorySnapshot,
} from '@poortwachter/protocol';
import { calculateJwkThumbprint, GeneralSign, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { startTestRegistry, type TestRegistry } from '../testing/index.ts';
import { createDirectoryPublisher, type DirectoryPublisher } from './publisher.ts';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (e: unknown) => (e instanceof DirectoryVerificationError ? e.reason : String(e)),
  );

/** A JWS JSON general serialization of `payload`, one signature per [signing key, kid in the header]. */
async function signedBy(payload: unknown, signers: [JWK, string][]): Promise<string> {
  const general = new GeneralSign(new TextEncoder().encode(JSON.stringify(payload)));
  for (const [key, kid] of signers) {
    general.addSignature(await importJWK(key, 'ES256')).setProtectedHeader({ alg: 'ES256', kid, typ: DIRECTORY_TYP });
  }
  return JSON.stringify(await general.sign());
}

describe('directory signed by the old and the new registry key (rotation)', () => {
  let registry: TestRegistry;
  let oldKey: JWK;
  let newKey: JWK;
  let rotating: DirectoryPublisher;
  let afterRotation: DirectoryPublisher;
  const kid = (key: JWK) => calculateJwkThumbprint(publicJwkOf(key), 'sha256');

  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
    oldKey = await generatePrivateJwk('P-256');
    newKey = await generatePrivateJwk('P-256');
    rotating = await createDirectoryPublisher(registry.db, [oldKey, newKey]);
    afterRotation = await createDirectoryPublisher(registry.db, newKey);
  });
  afterAll(async () => registry.close());

  it('publishes both keys and signs the JSON serialization with both, the compact one with the current key', async () => {
    expect(rotating.jwks.keys.map((k) => k.kid)).toEqual([await kid(oldKey), await kid(newKey)]);
    const { jws, jwsJson } = await rotating.current();
    expect((JSON.parse(jwsJson) as { signatures: unknown[] }).signatures).toHaveLength(2);
    // A verifier of before the rotation (compact, the old key pinned) keeps verifying.
    expect((await verifyDirectorySnapshot(jws, publicJwkOf(oldKey))).serial).toBeGreaterThan(0);
    expect(await refusal(verifyDirectorySnapshot(jws, publicJwkOf(newKey)))).toBe('unknownKey');
  });

  it('lets a verifier that pinned the old key learn the new one, and keep trusting after the old is retired', async () => {
    const { snapshot, learnedKeys } = await verifyDirectory((await rotating.current()).jwsJson, publicJwkOf(oldKey));
    expect(snapshot.registry_keys).toHaveLength(2);
    expect(learnedKeys.map((k) => k.x)).toEqual([newKey.x]);
    const after = (await afterRotation.current()).jws;
    expect(await refusal(verifyDirectorySnapshot(after, publicJwkOf(oldKey)))).toBe('unknownKey');
    const pinned = { keys: [publicJwkOf(oldKey), ...learnedKeys] };
    expect((await verifyDirectory(after, pinned)).snapshot.serial).toBe(snapshot.serial);
    expect((await verifyDirectory((await rotating.current()).jwsJson, pinned)).learnedKeys).toEqual([]);
  });

  it('refuses a snapshot signed only by an unknown new key, even when it names the pinned key', async () => {
    const { snapshot } = await verifyDirectory((await rotating.current()).jwsJson, publicJwkOf(oldKey));
    const newOnly = await signedBy(snapshot, [[newKey, await kid(newKey)]]);
    expect(await refusal(verifyDirectory(newOnly, publicJwkOf(oldKey)))).toBe('unknownKey');
  });

  it('learns no key whose own signature does not verify, and refuses a failing signature by a pinned key', async () => {
    const { snapshot } = await verifyDirectory((await rotating.current()).jwsJson, publicJwkOf(oldKey));
    const attacker = await generatePrivateJwk('P-256');
    // The old key signed a payload naming newKey, but the "new key's" signature is the attacker's.
    const unproven = await signedBy(snapshot, [
      [oldKey, await kid(oldKey)],
      [attacker, await kid(newKey)],
    ]);
    expect((await verifyDirectory(unproven, publicJwkOf(oldKey))).learnedKeys).toEqual([]);
    const badPinned = await signedBy(snapshot, [
      [newKey, await kid(newKey)],
      [attacker, await kid(oldKey)],
    ]);
    expect(await refusal(verifyDirectory(badPinned, { keys: [publicJwkOf(oldKey), publicJwkOf(newKey)] }))).toBe(
      'signature',
    );
  });

  it('serves the JSON serialization to a verifier that asks for it, compact otherwise', async () => {
    const json = await registry.app.request('/v1/directory', { headers: { accept: 'application/jose+json' } });
    expect(json.headers.get('content-type')).toBe('application/jose+json');
    const body = await json.text();
    expect((await verifyDirectorySnapshot(body, registry.registryPublicKey)).serial).toBeGreaterThan(0);
    const compact = await registry.app.request('/v1/directory', { headers: { accept: 'application/jose' } });
    expect((await compact.text()).split('.')).toHaveLength(3);
  });
});
