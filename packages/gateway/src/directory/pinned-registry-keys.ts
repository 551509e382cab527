import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@poortwachter/sdk';
import type { JWK } from 'jose';

function keysIn(path: string): JWK[] {
  if (!existsSync(path)) return [];
  const json = JSON.parse(readFileSync(path, 'utf8')) as JWK | { keys?: JWK[] };
  return 'keys' in json && Array.isArray(json.keys) ? json.keys : [json as JWK];
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
  return { keys: [...keysIn(pinnedFile), ...keysIn(learnedFile)] };
}

/**
 * Adds keys learned from the directory to `learnedFile` (a JWK set), atomically, so that the gateway
 * still trusts the registry after a restart that falls after the rotation's overlap.
 */
export function rememberLearnedKeys(learnedFile: string, learned: readonly JWK[]): void {
  const known = keysIn(learnedFile);
  const keys = [...known, ...learned.filter((k) => !known.some((o) => o.x === k.x && o.y === k.y))];
  writeFileAtomic(learnedFile, `${JSON.stringify({ keys }, null, 2)}\n`);
}
