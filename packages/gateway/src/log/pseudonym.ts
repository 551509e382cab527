import { createHmac } from 'node:crypto';

/**
 * The keyed pseudonym of a BSN in the access log: HMAC-SHA-256 with the gateway's log key, hex.
 * Without the key a pseudonym cannot be linked to a BSN by trying all 10^9 BSNs.
 *
 * @example
 * const pseudonymise = createPseudonymiser(logKey);
 * pseudonymise('999993653'); // '3f1c…' (64 hex characters)
 */
export function createPseudonymiser(logKey: Uint8Array): (bsn: string) => string {
  if (logKey.length < 32) throw new Error('The log key must be at least 32 bytes.');
  return (bsn) => createHmac('sha256', logKey).update(`BSN:${bsn}`, 'utf8').digest('hex');
}
