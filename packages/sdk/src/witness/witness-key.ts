import { existsSync, readFileSync } from 'node:fs';
import {
  COSIGNATURE_ED25519,
  formatVkey,
  isKeyName,
  NoteError,
  type NoteKey,
  noteKeyFromJwk,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { writeFileAtomic } from '../atomic-file.ts';
import { generateSigningKey } from '../keys.ts';

/** A witness's own key: its name, its private Ed25519 key and the verifier key the registry lists. */
export interface WitnessKey {
  /** The key name of its cosignatures (`poortwachter.example/getuige-registry`). */
  readonly name: string;
  readonly privateJwk: JWK;
  /** Type 0x04 (cosignature/v1): the key the directory lists as the witness's `vkey`. */
  readonly noteKey: NoteKey;
  /** The C2SP verifier key, `<name>+<key id>+<base64(0x04 || public key)>`. */
  readonly vkey: string;
  /** Whether this call made the key (the first start). */
  readonly created: boolean;
}

/** A key file that cannot be used as a witness key (not a private Ed25519 JWK). */
export class WitnessKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WitnessKeyError';
  }
}

/**
 * Refuses a name a witness cannot sign under: a signed note's key name is not empty and holds no space
 * and no `+` (the vkey's separator; C2SP signed-note).
 */
export function checkWitnessName(name: string): void {
  if (!isKeyName(name))
    throw new WitnessKeyError(
      `The witness name ${JSON.stringify(name)} cannot be a key name: give one without spaces or '+', such as example.org/witness.`,
    );
}

/**
 * The witness key of `file`: read, or made (Ed25519, mode 0600, written atomically) when the file does
 * not exist yet. The same file gives the same vkey on every start, so the registry's entry stays true.
 *
 * @example
 * const key = await witnessKey('./data/getuige-ap/witness-key.jwk.json', 'poortwachter.example/getuige-ap');
 * console.log(key.vkey);
 */
export async function witnessKey(file: string, name: string): Promise<WitnessKey> {
  checkWitnessName(name);
  let created = false;
  if (!existsSync(file)) {
    const { privateKey } = await generateSigningKey('ed25519');
    writeFileAtomic(file, `${JSON.stringify(privateKey, null, 2)}\n`, { mode: 0o600, directoryMode: 0o700 });
    created = true;
  }
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (cause) {
    throw new WitnessKeyError(`The witness key file ${file} cannot be read as JSON.`, { cause });
  }
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || typeof privateJwk.d !== 'string')
    throw new WitnessKeyError(`The witness key file ${file} holds no private Ed25519 key (a JWK with kty OKP and d).`);
  const { d: _d, ...publicJwk } = privateJwk;
  let noteKey: NoteKey;
  try {
    noteKey = noteKeyFromJwk(name, COSIGNATURE_ED25519, publicJwk);
  } catch (cause) {
    const why = cause instanceof NoteError ? cause.message : String(cause);
    throw new WitnessKeyError(`The witness key file ${file} cannot be used: ${why}`, { cause });
  }
  return { name, privateJwk, noteKey, vkey: formatVkey(noteKey), created };
}
