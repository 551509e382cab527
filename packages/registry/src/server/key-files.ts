import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { DEMO_KEY_MEMBER, markDemoKey } from '@poortwachter/operations';
import { writeFileAtomic } from '@poortwachter/sdk';
import { calculateJwkThumbprint, type JWK } from 'jose';

export type KeyType = 'Ed25519' | 'P-256';

/** A fresh key pair as a private JWK with `kid` (RFC 7638 thumbprint) and `alg`. */
export async function generatePrivateJwk(type: KeyType): Promise<JWK> {
  const { privateKey } =
    type === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const { d: _d, ...publicPart } = jwk;
  const kid = await calculateJwkThumbprint(publicPart, 'sha256');
  return { ...jwk, kid, alg: type === 'Ed25519' ? 'EdDSA' : 'ES256' };
}

/** The public half of a private JWK (without the demo mark, which stays in the private key file). */
export function publicJwkOf(jwk: JWK): JWK {
  const { d: _d, [DEMO_KEY_MEMBER]: _demo, ...publicPart } = jwk as JWK & { [DEMO_KEY_MEMBER]?: unknown };
  return publicPart;
}

/**
 * Writes a file readable by its owner only (0600), creating the folder (0700). Atomically: a crash
 * while writing leaves no half key or token that a later start would read.
 */
export function writeSecretFile(path: string, content: string): void {
  writeFileAtomic(path, content, { mode: 0o600, directoryMode: 0o700 });
}

/**
 * Loads a private JWK from `path`, or creates one there (mode 0600) on first start; one made for the
 * demo (`demo: true`) carries the demo mark, so that a server in production refuses it.
 *
 * @example
 * const registryKey = await loadOrCreateKey('./data/keys/registry.jwk.json', 'P-256');
 */
export async function loadOrCreateKey(
  path: string,
  type: KeyType,
  options: { demo?: boolean } = {},
): Promise<{ jwk: JWK; created: boolean }> {
  if (existsSync(path)) return { jwk: JSON.parse(readFileSync(path, 'utf8')) as JWK, created: false };
  const fresh = await generatePrivateJwk(type);
  const jwk = options.demo ? markDemoKey(fresh) : fresh;
  writeSecretFile(path, `${JSON.stringify(jwk, null, 2)}\n`);
  return { jwk, created: true };
}
