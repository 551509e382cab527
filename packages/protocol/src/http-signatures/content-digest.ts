import { parseDictionary } from 'structured-headers';
import { sha256 } from '#platform';
import { equalBytes, fromBase64, toBase64 } from '../bytes.ts';
import { HttpSignatureError } from './errors.ts';

/** The usual header: one sha-256 member, 32 bytes in canonical base64, no parameters. */
const SHA256_ONLY = /^sha-256=:([A-Za-z0-9+/]{43}=):$/;

/**
 * The RFC 9530 `Content-Digest` of a body: `sha-256=:<base64>:`.
 *
 * @example
 * await contentDigest('{"a":1}'); // 'sha-256=:…:'
 */
export async function contentDigest(body: Uint8Array | string): Promise<string> {
  // RFC 8941's serialisation of a one-member dictionary whose value is a byte sequence (as
  // `serializeDictionary` writes it; the tests compare both).
  return `sha-256=:${toBase64(sha256(body))}:`;
}

/** Checks a `Content-Digest` header against the body; only sha-256 is accepted. */
export async function verifyContentDigest(header: string | null, body: Uint8Array | string): Promise<void> {
  if (!header) throw new HttpSignatureError('digestMissing', 'The request has no Content-Digest header.');
  const usual = SHA256_ONLY.exec(header);
  let claimed: unknown;
  try {
    // Only the usual form is read directly; any other (more members, parameters, spaces) is parsed in full.
    claimed = usual ? fromBase64(usual[1] as string) : parseDictionary(header).get('sha-256')?.[0];
  } catch (cause) {
    throw new HttpSignatureError('malformed', 'Content-Digest is not a valid structured field.', { cause });
  }
  if (!(claimed instanceof ArrayBuffer || claimed instanceof Uint8Array)) {
    throw new HttpSignatureError('digestMissing', 'Content-Digest has no sha-256 member.');
  }
  const actual = sha256(body);
  const expected = new Uint8Array(claimed);
  const same = equalBytes(actual, expected);
  if (!same) throw new HttpSignatureError('digestMismatch', 'The body does not match its Content-Digest.');
}
