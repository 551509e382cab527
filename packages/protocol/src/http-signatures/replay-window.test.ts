import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { replayWindowEnd, signMessageWithBase, verifyMessage } from './message-signatures.ts';

/**
 * A nonce is remembered for as long as its signature is accepted: a purge of the nonces that ran in
 * the signature's last accepted second must not let it be replayed.
 */
describe('the replay window of a nonce', () => {
  it('ends after the last millisecond in which verifyMessage accepts the signature', async () => {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    const { d: _d, ...publicKey } = jwk;
    const kid = await calculateJwkThumbprint(publicKey);
    const headers = new Headers({ 'content-digest': 'sha-256=:47DEQpj8HBSa+/TVWm5wUkiTJbzr8oVvLq0TgVmNRjg=:' });
    const message = {
      method: 'GET',
      targetUri: 'https://gateway.example/personen',
      header: (n: string) => headers.get(n),
    };
    const created = 1_800_000_000;
    const skew = 60;
    for (const expires of [created + 60, created + 300]) {
      const signed = await signMessageWithBase(message, {
        components: ['@method', '@target-uri', 'content-digest'],
        privateKey: { ...jwk, kid },
        created,
        ...(expires ? { expires } : {}),
        nonce: 'a-nonce-of-sixteen-or-more',
      });
      for (const [name, value] of Object.entries(signed.headers)) headers.set(name, value);
      const lastAcceptedSecond = (expires ?? created + 300) + skew;
      const verify = (nowSeconds: number) =>
        verifyMessage(message, {
          requiredComponents: ['@method'],
          now: nowSeconds,
          maxSkewSeconds: skew,
          publicKeyFor: () => publicKey,
        }).then(
          () => true,
          () => false,
        );
      expect(await verify(lastAcceptedSecond)).toBe(true);
      expect(await verify(lastAcceptedSecond + 1)).toBe(false);
      // The gateway's now is Date.now(); verifyMessage sees Math.floor(now / 1000): the whole last second is accepted.
      const lastAcceptedMs = lastAcceptedSecond * 1000 + 999;
      // The stores purge `expires_at < now`: at the last accepted millisecond the nonce must still be there.
      expect(replayWindowEnd({ created, ...(expires ? { expires } : {}) }, skew)).toBeGreaterThan(lastAcceptedMs);
    }
  });
});
