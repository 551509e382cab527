import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh admin token: 256 random bits, base64url, prefixed so it is recognisable in a leak scan. */
export const generateAdminToken = (): string => `pwr_${randomBytes(32).toString('base64url')}`;

/**
 * SHA-256 of the token. The token is high-entropy random, so a fast hash is safe here (no password
 * stretching needed): guessing is 2^256 work whatever the hash speed.
 */
export const hashAdminToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time comparison of a presented token against stored hashes. */
export function matchesAnyHash(token: string, hashes: readonly string[]): boolean {
  const presented = Buffer.from(hashAdminToken(token), 'hex');
  let match = false;
  for (const hash of hashes) {
    const stored = Buffer.from(hash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) match = true;
  }
  return match;
}
