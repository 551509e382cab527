import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Hex SHA-256 of an admin token: the outway keeps only this. */
export const adminTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** The admin tokens' hashes, or a function giving them now (read from `ADMIN_TOKEN_FILE`). */
export type AdminTokenHashes = readonly string[] | (() => readonly string[]);

/** Whether `token` matches one of the hashes, compared in constant time. */
export function matchesAdminToken(token: string, hashes: readonly string[]): boolean {
  const given = Buffer.from(adminTokenHash(token), 'hex');
  let match = false;
  for (const hash of hashes) {
    const known = Buffer.from(hash, 'hex');
    if (known.length === given.length && timingSafeEqual(known, given)) match = true;
  }
  return match;
}

/**
 * The admin tokens in `path`, one a line (blank lines and `#` comments skipped), as hashes: read at
 * every admin request (they are rare), so an operator adds a token (append a line) or revokes one
 * (delete its line) without a restart. A file that cannot be read
 * holds no token (fail closed).
 *
 * @example
 * const hashes = adminTokenFile('./data/outway-admin-token');
 * matchesAdminToken(presented, hashes());
 */
export function adminTokenFile(path: string): () => readonly string[] {
  return () => {
    try {
      return readFileSync(path, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map(adminTokenHash);
    } catch {
      return [];
    }
  };
}
