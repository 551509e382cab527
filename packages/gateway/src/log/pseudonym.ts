import { createHash, createHmac } from 'node:crypto';

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

/**
 * A subject's pseudonyms under the current log key and every previous one (a log-key rotation): the
 * log's readers look records up by all of them, so that a citizen's timeline stays whole across a
 * rotation. Records are written under the current key only (one HMAC per write).
 *
 * @example
 * const pseudonymsOf = createSubjectPseudonyms(logKey, [previousLogKey]);
 * pseudonymsOf('999993653'); // ['3f1c…', '9a0e…']
 */
export function createSubjectPseudonyms(
  logKey: Uint8Array,
  previousKeys: readonly Uint8Array[] = [],
): (bsn: string) => readonly string[] {
  const each = [logKey, ...previousKeys].map(createPseudonymiser);
  return (bsn) => each.map((pseudonymise) => pseudonymise(bsn));
}

/**
 * The public id of a log key, stored beside each record it pseudonymised (`log_key_id`): the first 16
 * hex characters of SHA-256 over the key's bytes. It names the key without revealing it, so that an
 * operator can see whether records under a previous key remain. Computed once per process.
 *
 * @example
 * logKeyId(logKey); // 'a1b2c3d4e5f60718'
 */
export function logKeyId(logKey: Uint8Array): string {
  return createHash('sha256').update(logKey).digest('hex').slice(0, 16);
}
