import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { DEMO_KEY_MEMBER, markDemoKey, readPrivateKey } from '@poortwachter/operations';
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
 * demo (`demo: true`) carries the demo mark, so that a server in production refuses it. A file that
 * holds no private JWK stops the start naming `setting` (one line, exit 2); so does a demo key in
 * production.
 *
 * @example
 * const registryKey = await loadOrCreateKey('./data/keys/registry.jwk.json', 'P-256');
 */
export async function loadOrCreateKey(
  path: string,
  type: KeyType,
  options: { demo?: boolean; setting?: string } = {},
): Promise<{ jwk: JWK; created: boolean }> {
  if (existsSync(path))
    return { jwk: readPrivateKey<JWK>(options.setting ?? path, path, options.demo ?? false), created: false };
  const fresh = await generatePrivateJwk(type);
  const jwk = options.demo ? markDemoKey(fresh) : fresh;
  writeSecretFile(path, `${JSON.stringify(jwk, null, 2)}\n`);
  return { jwk, created: true };
}

/**
 * The registry's signing keys: the current one (made on first start) and, during a key rotation, the
 * next one beside it (`rotate-key` makes it). The current key comes first.
 *
 * @example
 * const [current, next] = await loadRegistryKeys('./data/keys/registry.jwk.json', './data/keys/registry.next.jwk.json');
 */
export async function loadRegistryKeys(
  keyFile: string,
  nextKeyFile: string,
  options: { demo?: boolean } = {},
): Promise<{ keys: JWK[]; created: boolean }> {
  const { jwk, created } = await loadOrCreateKey(keyFile, 'P-256', { ...options, setting: 'REGISTRY_KEY_FILE' });
  if (!existsSync(nextKeyFile)) return { keys: [jwk], created };
  const next = readPrivateKey<JWK>('REGISTRY_NEXT_KEY_FILE', nextKeyFile, options.demo ?? false);
  // A retire-key cut short leaves the next key in both files: it is one key.
  return { keys: next.x === jwk.x && next.y === jwk.y ? [jwk] : [jwk, next], created };
}

/** Starts a rotation: makes the next signing key (refused while one is waiting). Returns it. */
export async function makeNextRegistryKey(keyFile: string, nextKeyFile: string): Promise<JWK> {
  if (existsSync(nextKeyFile)) throw new Error(`a next key is waiting already at ${nextKeyFile}: run retire-key first`);
  const current = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const next = await generatePrivateJwk(current.kty === 'OKP' ? 'Ed25519' : 'P-256');
  writeSecretFile(nextKeyFile, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/**
 * Ends a rotation: the next key becomes the current one and the old private key is gone. In this
 * order, so that a crash between the steps leaves a registry that still signs with the new key.
 */
export function retireRegistryKey(keyFile: string, nextKeyFile: string): JWK {
  if (!existsSync(nextKeyFile)) throw new Error(`no next key at ${nextKeyFile}: run rotate-key first`);
  const next = readFileSync(nextKeyFile, 'utf8');
  writeSecretFile(keyFile, next);
  unlinkSync(nextKeyFile);
  return JSON.parse(next) as JWK;
}
