/**
 * C2SP signed notes (https://c2sp.org/signed-note), as checkpoints and their cosignatures use them:
 * Ed25519 note signatures (type 0x01) and Ed25519 `cosignature/v1` (type 0x04). Runs in the browser as
 * in Node (the cryptography is `#platform`'s).
 */

import type { JWK } from 'jose';
import { sha256, signWith, verifyWith } from '#platform';
import { fromBase64, toBase64, toBase64Url } from '../bytes.ts';

/** A note, a verifier key or a witness request that does not follow its C2SP grammar. */
export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteError';
  }
}

/** Signature type of an Ed25519 note signature (the log's own, on its checkpoint). */
export const NOTE_ED25519 = 0x01;
/** Signature type of a timestamped Ed25519 checkpoint cosignature (a witness's, `cosignature/v1`). */
export const COSIGNATURE_ED25519 = 0x04;

/** A public key that signs notes: its name, type and key ID as the signature lines carry them. */
export interface NoteKey {
  readonly name: string;
  readonly type: number;
  /** uint32: the first four bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key), big-endian. */
  readonly keyId: number;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The same key as a public JWK (OKP, Ed25519), for the platform's verify. */
  readonly jwk: JWK;
}

/** One signature line of a note: `— <name> base64(key ID ‖ signature)`. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
  /** The line as it stood, with its newline. */
  readonly line: string;
}

const DASH = '\u2014';
const MAX_SIGNATURES = 64;
const fail = (message: string): never => {
  throw new NoteError(message);
};

/** A key name: non-empty, no Unicode space and no `+` (signed-note §Format). */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name);
}

export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(name, new Uint8Array([0x0a, type]), publicKey);
  return (
    ((digest[0] as number) * 2 ** 24 +
      ((digest[1] as number) << 16) +
      ((digest[2] as number) << 8) +
      (digest[3] as number)) >>>
    0
  );
}

const keyIdBytes = (keyId: number) =>
  new Uint8Array([keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff]);
const ed25519Jwk = (publicKey: Uint8Array): JWK => ({ kty: 'OKP', crv: 'Ed25519', x: toBase64Url(publicKey) });

function noteKey(name: string, type: number, publicKey: Uint8Array): NoteKey {
  if (!isKeyName(name)) fail(`the key name ${JSON.stringify(name)} is empty or holds a space or a plus.`);
  if (type !== NOTE_ED25519 && type !== COSIGNATURE_ED25519)
    fail(`signature type 0x${type.toString(16)} is not supported (Ed25519 0x01 or 0x04).`);
  if (publicKey.length !== 32) fail('an Ed25519 public key is 32 bytes.');
  return { name, type, keyId: noteKeyId(name, type, publicKey), publicKey, jwk: ed25519Jwk(publicKey) };
}

/** The note key of an Ed25519 JWK under `name`; throws NoteError for any other key. */
export function noteKeyFromJwk(name: string, type: number, jwk: JWK): NoteKey {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    fail(`the key of ${name} is not an Ed25519 key: checkpoints are signed with Ed25519 only.`);
  }
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64(jwk.x as string);
  } catch {
    return fail(`the key of ${name} has no readable public key.`);
  }
  return noteKey(name, type, publicKey);
}

/** Reads a verifier key `<name>+<hex key ID>+base64(type ‖ public key)`, checking its key ID. */
export function parseVkey(vkey: string): NoteKey {
  // The base64 key may hold a plus itself: only the first two separate the parts.
  const match = /^([^+]+)\+([^+]*)\+(.+)$/.exec(vkey.trim());
  if (!match) return fail('a verifier key is <name>+<key id>+<key>.');
  const [, name, hexId, material] = match as unknown as [string, string, string, string];
  if (!/^[0-9a-f]{8}$/.test(hexId)) fail('the key ID of a verifier key is 8 lowercase hex digits.');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(material);
  } catch {
    return fail('the key of a verifier key is not base64.');
  }
  if (bytes.length < 1) fail('the verifier key holds no key.');
  const key = noteKey(name, bytes[0] as number, bytes.subarray(1));
  if (key.keyId !== Number.parseInt(hexId, 16)) fail(`the verifier key's ID ${hexId} does not match its name and key.`);
  return key;
}

export function formatVkey(key: NoteKey): string {
  const material = new Uint8Array(1 + key.publicKey.length);
  material[0] = key.type;
  material.set(key.publicKey, 1);
  return `${key.name}+${key.keyId.toString(16).padStart(8, '0')}+${toBase64(material)}`;
}

export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const bytes = new Uint8Array(4 + signature.length);
  bytes.set(keyIdBytes(keyId));
  bytes.set(signature, 4);
  return `${DASH} ${name} ${toBase64(bytes)}\n`;
}

/**
 * Splits a signed note into its text (with its final newline) and its signature lines. Refuses
 * control characters other than newline, a note without a blank line before its signatures, and a
 * signature line that is not `— <name> <base64 of at least 5 bytes>`.
 */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  for (let i = 0; i < note.length; i++) {
    const code = note.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) fail('a note holds no control characters but newlines.');
  }
  if (!note.endsWith('\n')) fail('a note ends with a newline.');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) fail('a note has a blank line between its text and its signatures.');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) fail(`a note holds at most ${MAX_SIGNATURES} signatures.`);
  const signatures = lines.map((line) => parseSignatureLine(`${line}\n`));
  if (text.length === 0) fail('a note has a text.');
  return { text, signatures };
}

/** One `— <name> base64(key ID ‖ signature)\n` line. */
export function parseSignatureLine(line: string): NoteSignature {
  const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})\n$/u.exec(line);
  if (!match) return fail(`not a signature line: ${JSON.stringify(line.slice(0, 80))}.`);
  const name = match[1] as string;
  if (!isKeyName(name)) fail(`the key name ${JSON.stringify(name)} holds a plus.`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(match[2] as string);
  } catch {
    return fail('a signature is base64.');
  }
  if (bytes.length < 5) fail('a signature holds a key ID and a signature.');
  const keyId =
    ((bytes[0] as number) * 2 ** 24 +
      ((bytes[1] as number) << 16) +
      ((bytes[2] as number) << 8) +
      (bytes[3] as number)) >>>
    0;
  return { name, keyId, signature: bytes.slice(4), line };
}

/** The note's text followed by the signature lines (each ending in a newline). */
export function formatNote(text: string, lines: readonly string[]): string {
  if (!text.endsWith('\n')) fail('a note text ends with a newline.');
  return `${text}\n${lines.join('')}`;
}

/** The note with `lines` added; a line of a key already on the note (same name and key ID) is left out. */
export function withSignatures(note: string, lines: readonly string[]): string {
  const { text, signatures } = parseNote(note);
  const seen = new Set(signatures.map((s) => `${s.name} ${s.keyId}`));
  const all = signatures.map((s) => s.line);
  for (const line of lines) {
    const signature = parseSignatureLine(line.endsWith('\n') ? line : `${line}\n`);
    const id = `${signature.name} ${signature.keyId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    all.push(signature.line);
  }
  return formatNote(text, all);
}

const bad = (cause: unknown): never => {
  throw new NoteError(`the key cannot be used: ${cause instanceof Error ? cause.message : String(cause)}`);
};

/** Signs `message` with an Ed25519 private JWK. */
export const signEd25519 = (privateJwk: JWK, message: Uint8Array): Promise<Uint8Array> =>
  signWith('ed25519', privateJwk, message, bad);

/** Verifies an Ed25519 signature with a note key. */
export const verifyEd25519 = (key: NoteKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> =>
  signature.length === 64
    ? Promise.resolve(verifyWith('ed25519', key.jwk, message, signature, bad))
    : Promise.resolve(false);
