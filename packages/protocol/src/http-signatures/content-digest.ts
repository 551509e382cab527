import { parseDictionary, serializeDictionary } from 'structured-headers';
import { sha256 } from '#platform';
import { equalBytes } from '../bytes.ts';
import { HttpSignatureError } from './errors.ts';

const toBytes = (body: Uint8Array | string) => (typeof body === 'string' ? new TextEncoder().encode(body) : body);

/**
 * The RFC 9530 `Content-Digest` of a body: `sha-256=:<base64>:`.
 *
 * @example
 * await contentDigest('{"a":1}'); // 'sha-256=:…:'
 */
export async function contentDigest(body: Uint8Array | string): Promise<string> {
  const digest = sha256(toBytes(body));
  // A copy of exactly the digest's bytes, in an ArrayBuffer of its own (structured-headers' byte sequence).
  return serializeDictionary(new Map([['sha-256', [new Uint8Array(digest).buffer, new Map()]]]));
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
  const actual = sha256(toBytes(body));
  const expected = new Uint8Array(claimed);
  const same = equalBytes(actual, expected);
  if (!same) throw new HttpSignatureError('digestMismatch', 'The body does not match its Content-Digest.');
}
