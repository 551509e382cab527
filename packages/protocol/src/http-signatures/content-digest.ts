import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeDictionary } from 'structured-headers';
import { HttpSignatureError } from './errors.ts';

const toBytes = (body: Uint8Array | string) => (typeof body === 'string' ? new TextEncoder().encode(body) : body);

/**
 * The RFC 9530 `Content-Digest` of a body: `sha-256=:<base64>:`.
 *
 * @example
 * await contentDigest('{"a":1}'); // 'sha-256=:…:'
 */
export async function contentDigest(body: Uint8Array | string): Promise<string> {
  const digest = createHash('sha256').update(toBytes(body)).digest();
  return serializeDictionary(
    new Map([['sha-256', [digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength), new Map()]]]),
  );
}

/** Checks a `Content-Digest` header against the body; only sha-256 is accepted. */
export async function verifyContentDigest(header: string | null, body: Uint8Array | string): Promise<void> {
  if (!header) throw new HttpSignatureError('digestMissing', 'The request has no Content-Digest header.');
  let claimed: unknown;
  try {
    claimed = parseDictionary(header).get('sha-256')?.[0];
  } catch (cause) {
    throw new HttpSignatureError('malformed', 'Content-Digest is not a valid structured field.', { cause });
  }
  if (!(claimed instanceof ArrayBuffer)) {
    throw new HttpSignatureError('digestMissing', 'Content-Digest has no sha-256 member.');
  }
  const actual = createHash('sha256').update(toBytes(body)).digest();
  const expected = new Uint8Array(claimed);
  const same = actual.length === expected.length && timingSafeEqual(actual, expected);
  if (!same) throw new HttpSignatureError('digestMismatch', 'The body does not match its Content-Digest.');
}
