/**
 * Bytes without Node's Buffer, so that the code that checks proofs and signatures runs in a browser
 * as it runs in Node. (`btoa`/`atob` exist in both.)
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  // Digests and signatures (tens of bytes, several per request) by the table: a few times faster than
  // a binary string through btoa. Larger inputs go through btoa.
  if (bytes.length <= 1024) return smallBase64(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function smallBase64(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += `${BASE64[v >> 18]}${BASE64[(v >> 12) & 63]}${BASE64[(v >> 6) & 63]}${BASE64[v & 63]}`;
  }
  if (i < n) {
    const two = i + 1 < n;
    const v = ((bytes[i] as number) << 16) | ((two ? (bytes[i + 1] as number) : 0) << 8);
    out += `${BASE64[v >> 18]}${BASE64[(v >> 12) & 63]}${two ? BASE64[(v >> 6) & 63] : '='}=`;
  }
  return out;
}

/** base64url without padding (RFC 4648 §5). */
export const toBase64Url = (bytes: Uint8Array): string =>
  toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

/** Bytes of standard base64 or base64url; throws a TypeError on anything else. */
export function fromBase64(text: string): Uint8Array {
  const standard = text.replaceAll('-', '+').replaceAll('_', '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard)) throw new TypeError('not base64');
  const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, '='));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

/** Equal bytes, in time that depends only on the length (for digests and signatures). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export const utf8Bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
