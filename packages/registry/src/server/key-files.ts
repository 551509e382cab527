import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

/** The public half of a private JWK. */
export function publicJwkOf(jwk: JWK): JWK {
  const { d: _d, ...publicPart } = jwk;
  return publicPart;
}

/** Writes a file readable by its owner only (0600), creating the folder. */
export function writeSecretFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Loads a private JWK from `path`, or creates one there (mode 0600) on first start.
 *
 * @example
 * const registryKey = await loadOrCreateKey('./data/keys/registry.jwk.json', 'P-256');
 */
export async function loadOrCreateKey(path: string, type: KeyType): Promise<{ jwk: JWK; created: boolean }> {
  if (existsSync(path)) return { jwk: JSON.parse(readFileSync(path, 'utf8')) as JWK, created: false };
  const jwk = await generatePrivateJwk(type);
  writeSecretFile(path, `${JSON.stringify(jwk, null, 2)}\n`);
  return { jwk, created: true };
}
