import { existsSync, readFileSync } from 'node:fs';
import { SettingError } from '@poortwachter/operations';
import { writeFileAtomic } from '@poortwachter/sdk';
import type { JWK } from 'jose';

const isPublicJwk = (key: unknown): key is JWK =>
  typeof key === 'object' && key !== null && typeof (key as JWK).kty === 'string' && (key as JWK).d === undefined;

const PINNED = "REGISTRY_PUBLIC_KEY_FILE must name a file holding the registry's public key (a JWK or a JWK set)";
const LEARNED = 'the registry keys learned during a rotation must be a JWK set (the gateway writes it in DATA_DIR)';

/**
 * The public keys in `path` (a JWK or a JWK set), none when it is not there. Anything else stops the
 * start with one line (`accepts`: the setting, or the state file, and what it accepts).
 */
function keysIn(path: string, accepts: string): JWK[] {
  if (!existsSync(path)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SettingError(`${accepts}, ${code ? `cannot read ${path} (${code})` : `${path} is not JSON`}`);
  }
  const keys = (json as { keys?: unknown }).keys;
  const list: unknown[] = Array.isArray(keys) ? keys : [json];
  if (list.length === 0 || !list.every(isPublicJwk)) throw new SettingError(`${accepts}, ${path} holds none`);
  return list;
}

/**
 * The registry keys a gateway trusts: the pinned ones (`REGISTRY_PUBLIC_KEY_FILE`, a JWK or a key set,
 * never written by the gateway: it may be a read-only mount) and the ones it learned during a key
 * rotation from a snapshot signed by a pinned key and the new one (`learnedFile`, in its data folder).
 *
 * @example
 * const registryKey = pinnedRegistryKeys('./data/keys/registry.public.jwk.json', './data/keys/registry.learned.jwks.json');
 */
export function pinnedRegistryKeys(pinnedFile: string, learnedFile: string): { keys: JWK[] } {
  return {
    keys: [...keysIn(pinnedFile, PINNED), ...keysIn(learnedFile, LEARNED)],
  };
}

/**
 * Adds keys learned from the directory to `learnedFile` (a JWK set), atomically, so that the gateway
 * still trusts the registry after a restart that falls after the rotation's overlap.
 */
export function rememberLearnedKeys(learnedFile: string, learned: readonly JWK[]): void {
  const known = keysIn(learnedFile, LEARNED);
  const keys = [...known, ...learned.filter((k) => !known.some((o) => o.x === k.x && o.y === k.y))];
  writeFileAtomic(learnedFile, `${JSON.stringify({ keys }, null, 2)}\n`);
}
