/** When a registry record applies: from `validFrom` (inclusive) to `validTo` (exclusive, open when null), unless revoked. */
export interface Validity {
  readonly validFrom: string;
  readonly validTo?: string | null;
  readonly revokedAt?: string | null;
}

const ms = (at: string | number): number => (typeof at === 'number' ? at : Date.parse(at));

/**
 * The one rule for "valid at t" (keys, autorisaties, grondslagen, versions): `validFrom ≤ t < validTo`,
 * and not revoked at or before t. `at` is an ISO 8601 instant or milliseconds since the epoch.
 *
 * @example
 * inForce({ validFrom: '2026-01-01T00:00:00.000Z', validTo: null }, '2026-06-01T00:00:00.000Z'); // true
 */
export function inForce(record: Validity | undefined, at: string | number): boolean {
  if (!record) return false;
  const t = ms(at);
  if (Date.parse(record.validFrom) > t) return false;
  if (record.validTo && Date.parse(record.validTo) <= t) return false;
  if (record.revokedAt && Date.parse(record.revokedAt) <= t) return false;
  return true;
}

/** Whether the record is in force at some moment of `[from, to)`. */
export function inForceDuring(record: Validity, from: string | number, to: string | number): boolean {
  return (
    Date.parse(record.validFrom) < ms(to) &&
    (!record.validTo || Date.parse(record.validTo) > ms(from)) &&
    (!record.revokedAt || Date.parse(record.revokedAt) > ms(from))
  );
}
