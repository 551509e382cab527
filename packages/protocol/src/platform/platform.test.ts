import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import * as browser from './browser.ts';
import * as node from './node.ts';

/**
 * The browser's cryptography (@noble/hashes, WebCrypto) against Node's, on the same inputs: the page
 * a citizen opens checks with `browser.ts` what the gateway made with `node.ts`.
 */
const fail = (cause: unknown): never => {
  throw new Error('bad key', { cause });
};

const keyPair = (kind: 'ed25519' | 'ec') => {
  const { privateKey, publicKey } =
    kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { private: privateKey.export({ format: 'jwk' }) as JWK, public: publicKey.export({ format: 'jwk' }) as JWK };
};

describe('the browser platform computes what the Node platform computes', () => {
  it('SHA-256 of bytes and strings, in parts, at every block boundary', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 1000, 70_000]) {
      const bytes = randomBytes(length);
      expect(browser.sha256(bytes)).toEqual(new Uint8Array(node.sha256(bytes)));
      const cut = Math.floor(length / 3);
      expect(browser.sha256(bytes.subarray(0, cut), bytes.subarray(cut))).toEqual(new Uint8Array(node.sha256(bytes)));
    }
    const text = '{"naam":"Zoë d\'Ancona","emoji":"🇳🇱"}';
    expect(browser.sha256(new Uint8Array([0]), text)).toEqual(new Uint8Array(node.sha256(new Uint8Array([0]), text)));
    expect(Buffer.from(browser.sha256()).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  for (const [alg, kind] of [
    ['ed25519', 'ed25519'],
    ['ecdsa-p256-sha256', 'ec'],
  ] as const) {
    it(`${alg}: signatures made by either verify with the other, and a changed byte fails both`, async () => {
      const keys = keyPair(kind);
      const data = randomBytes(300);
      const byNode = await node.signWith(alg, keys.private, data, fail);
      const byBrowser = await browser.signWith(alg, keys.private, data, fail);
      expect(byNode.length).toBe(64);
      expect(byBrowser.length).toBe(64);
      expect(await browser.verifyWith(alg, keys.public, data, byNode, fail)).toBe(true);
      expect(await node.verifyWith(alg, keys.public, data, byBrowser, fail)).toBe(true);
      const changed = Buffer.from(data);
      changed[7] = (changed[7] ?? 0) ^ 1;
      expect(await browser.verifyWith(alg, keys.public, changed, byNode, fail)).toBe(false);
      expect(await node.verifyWith(alg, keys.public, changed, byBrowser, fail)).toBe(false);
      const other = keyPair(kind);
      expect(await browser.verifyWith(alg, other.public, data, byNode, fail)).toBe(false);
    });
  }

  it('reports a key that is not a key through the caller, like Node does', async () => {
    const broken = { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } as JWK;
    await expect(browser.verifyWith('ed25519', broken, new Uint8Array(1), new Uint8Array(64), fail)).rejects.toThrow(
      'bad key',
    );
    // (Node's throws at once, the browser's rejects: both reach the caller's handler.)
    await expect(
      Promise.resolve().then(() => node.verifyWith('ed25519', broken, new Uint8Array(1), new Uint8Array(64), fail)),
    ).rejects.toThrow('bad key');
  });

  it('fills more random bytes than WebCrypto gives at once', () => {
    const bytes = browser.randomFill(new Uint8Array(70_000));
    expect(bytes.subarray(66_000).some((b) => b !== 0)).toBe(true);
    expect(bytes.subarray(0, 1000).some((b) => b !== 0)).toBe(true);
  });
});
