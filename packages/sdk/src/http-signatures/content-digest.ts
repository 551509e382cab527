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
  const digest = await crypto.subtle.digest('SHA-256', toBytes(body) as Uint8Array<ArrayBuffer>);
  return serializeDictionary(new Map([['sha-256', [digest, new Map()]]]));
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
  const actual = new Uint8Array(await crypto.subtle.digest('SHA-256', toBytes(body) as Uint8Array<ArrayBuffer>));
  const expected = new Uint8Array(claimed);
  const same = actual.length === expected.length && actual.every((byte, i) => byte === expected[i]);
  if (!same) throw new HttpSignatureError('digestMismatch', 'The body does not match its Content-Digest.');
}
