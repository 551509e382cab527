import { createHash, timingSafeEqual } from 'node:crypto';

/** Hex SHA-256 of an admin token: the outway keeps only this. */
export const adminTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

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
