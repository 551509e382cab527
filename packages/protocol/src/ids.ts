import { randomFill } from '#platform';
import { toHex as hex, toBase64Url } from './bytes.ts';

// Ids are made several times per request; drawing them from a refilled pool of random bytes is much
// cheaper than one call into the CSPRNG per id.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;
function random(length: number): Uint8Array {
  if (poolOffset + length > pool.length) {
    randomFill(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + length);
  poolOffset += length;
  return bytes;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of milliseconds, then random bits, so ids sort by creation time.
 *
 * @example
 * uuidv7(); // '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'
 */
export function uuidv7(now = Date.now()): string {
  const bytes = random(16);
  // 48 bits of milliseconds, big-endian (plain numbers: exact up to 2^53).
  const high = Math.floor(now / 2 ** 16);
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The milliseconds a UUIDv7 holds (its first 48 bits), or undefined for anything else. An access
 * record's id is the UUIDv7 of its start_time, so a lookup by id knows the record's month (its
 * partition on PostgreSQL).
 *
 * @example
 * uuidv7Time(uuidv7(1764000000000)); // 1764000000000
 */
export function uuidv7Time(id: string): number | undefined {
  if (!UUID_PATTERN.test(id) || id[14] !== '7') return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A signature nonce: 128 random bits, base64url. */
export const newNonce = (): string => toBase64Url(random(16));

/** W3C Trace Context ids. */
export const newTraceId = (): string => hex(random(16));
export const newSpanId = (): string => hex(random(8));

export interface TraceParent {
  readonly traceId: string;
  readonly parentId: string;
  readonly sampled: boolean;
}

/** Parses a W3C `traceparent` (version 00); undefined when absent or invalid (all-zero ids are invalid). */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export const formatTraceparent = (traceId: string, spanId: string, sampled = true): string =>
  `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;

/** A burgerservicenummer: nine digits that pass the elfproef (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11). */
export function isBsn(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(value[i]);
  sum -= Number(value[8]);
  return sum % 11 === 0 && value !== '000000000';
}
