/**
 * C2SP checkpoints (https://c2sp.org/tlog-checkpoint) of the access logs and the registry's change log,
 * their witnesses' `cosignature/v1` (https://c2sp.org/tlog-cosignature, Ed25519) and the one rule every
 * reader applies: a head counts only when the log signed it and a quorum of the directory's witnesses
 * cosigned it.
 */
import type { JWK } from 'jose';
import { fromBase64, toBase64 } from '../bytes.ts';
import type { DirectorySnapshot } from '../directory/types.ts';
import type { Organisation } from '../domain/model.ts';
import {
  COSIGNATURE_ED25519,
  formatNote,
  NOTE_ED25519,
  NoteError,
  type NoteKey,
  noteKeyFromJwk,
  parseNote,
  parseVkey,
  signatureLine,
  signEd25519,
  signNoteText,
  verifyEd25519,
  verifyNoteSignature,
} from './note.ts';

/** A log's tree head as a checkpoint states it. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
}

const fail = (message: string): never => {
  throw new NoteError(message);
};

/** The checkpoint's note text: origin, size and root hash, each line ending in a newline. */
export function checkpointText(c: Checkpoint): string {
  if (!c.origin || /\n/.test(c.origin)) fail('a checkpoint origin is one non-empty line.');
  if (!Number.isSafeInteger(c.size) || c.size < 0) fail('a checkpoint size is a whole number of at least 0.');
  if (c.rootHash.length !== 32) fail('a checkpoint root hash is 32 bytes (SHA-256).');
  return `${c.origin}\n${c.size}\n${toBase64(c.rootHash)}\n`;
}

/** Reads a checkpoint's note text (extension lines allowed and ignored). */
export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines.at(-1) !== '')
    fail('a checkpoint is an origin, a size and a root hash, each on a line.');
  const [origin, size, root] = lines as [string, string, string];
  if (!origin) fail('a checkpoint has an origin.');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    fail(`the checkpoint size ${JSON.stringify(size)} is not a decimal without leading zeroes.`);
  let rootHash: Uint8Array = new Uint8Array();
  try {
    rootHash = fromBase64(root);
  } catch {
    fail('the checkpoint root hash is not base64.');
  }
  if (rootHash.length !== 32 || toBase64(rootHash) !== root)
    fail('the checkpoint root hash is not 32 bytes of standard base64.');
  if (lines.slice(3, -1).some((l) => l === '')) fail('a checkpoint extension line is not empty.');
  return { origin, size: Number(size), rootHash };
}

/** The origin of a gateway's log: `poortwachter/log/<OIN>/<log id>` (also its key name). */
export const logOrigin = (oin: string, logId: string): string => `poortwachter/log/${oin}/${logId}`;

export function parseLogOrigin(origin: string): { oin: string; logId: string } | undefined {
  const match = /^poortwachter\/log\/([0-9]{20})\/([A-Za-z0-9._-]{1,100})$/.exec(origin);
  return match ? { oin: match[1] as string, logId: match[2] as string } : undefined;
}

/** The origin of the registry's change log. */
export const REGISTRY_CHANGES_ORIGIN = 'poortwachter/registry/changes';

const encoder = new TextEncoder();

/**
 * The whole checkpoint note, signed by the log's key under the origin as key name: Ed25519 (type 0x01)
 * or P-256 (type 0x02), as the key is.
 */
export async function signCheckpoint(c: Checkpoint, privateJwk: JWK): Promise<string> {
  const text = checkpointText(c);
  const key = noteKeyFromJwk(c.origin, NOTE_ED25519, privateJwk);
  const signature = await signNoteText(privateJwk, encoder.encode(text));
  return formatNote(text, [signatureLine(key.name, key.keyId, signature)]);
}

/** The message a `cosignature/v1` signs: its header, the time in seconds, the checkpoint's text. */
export function cosignatureMessage(text: string, timestamp: number): Uint8Array {
  return encoder.encode(`cosignature/v1\ntime ${timestamp}\n${text}`);
}

/** A witness's cosignature line over the checkpoint `note` at `timestamp` (POSIX seconds). */
export async function cosignCheckpoint(
  note: string,
  witness: { readonly name: string; readonly privateJwk: JWK },
  timestamp: number,
): Promise<string> {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) fail('a cosignature has a timestamp after 1970.');
  const { text } = parseNote(note);
  parseCheckpointText(text);
  const key = noteKeyFromJwk(witness.name, COSIGNATURE_ED25519, witness.privateJwk);
  const signature = await signEd25519(witness.privateJwk, cosignatureMessage(text, timestamp));
  const body = new Uint8Array(8 + signature.length);
  new DataView(body.buffer).setBigUint64(0, BigInt(timestamp));
  body.set(signature, 8);
  return signatureLine(key.name, key.keyId, body);
}

/** Why a checkpoint was not accepted; `cosigned` and `quorum` say how far it got. */
export class CheckpointError extends Error {
  constructor(
    readonly code: 'malformed' | 'origin' | 'notSignedByLog' | 'badSignature' | 'quorum',
    message: string,
    readonly cosigned = 0,
    readonly quorum = 0,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The witnesses a reader trusts and how many of them must have cosigned a head. */
export interface WitnessPolicy {
  readonly witnesses: readonly NoteKey[];
  readonly quorum: number;
}

/**
 * The directory's witnesses and quorum, failing closed: every listed entry counts toward the majority
 * the quorum must be (so an entry whose vkey cannot be read, or a key listed twice, never lowers it),
 * a quorum below that majority (or 0, or missing) is raised to it, and a key listed under two names
 * cosigns as one witness. None listed: quorum 0, no witness needed (and readers say so).
 */
export function witnessPolicy(snapshot: Pick<DirectorySnapshot, 'witnesses' | 'witness_quorum'>): WitnessPolicy {
  const listed = snapshot.witnesses ?? [];
  const seen = new Set<string>();
  const witnesses = listed.flatMap((w) => {
    try {
      const key = parseVkey(w.vkey);
      const id = toBase64(key.publicKey);
      if (key.type !== COSIGNATURE_ED25519 || key.name !== w.name || seen.has(id)) return [];
      seen.add(id);
      return [key];
    } catch {
      return [];
    }
  });
  if (listed.length === 0) return { witnesses, quorum: 0 };
  const majority = Math.floor(listed.length / 2) + 1;
  const asked = snapshot.witness_quorum;
  const quorum = Math.min(
    Math.max(Number.isSafeInteger(asked) ? (asked as number) : listed.length, majority),
    listed.length,
  );
  return { witnesses, quorum };
}

/** The provider's active keys (Ed25519 or P-256), named as the log's origin: the keys its checkpoints may carry. */
export function logNoteKeys(provider: Pick<Organisation, 'keys'> | undefined, origin: string): NoteKey[] {
  return (provider?.keys ?? []).flatMap((k) => {
    if (k.status !== 'active') return [];
    try {
      return [noteKeyFromJwk(origin, NOTE_ED25519, k.jwk as JWK)];
    } catch {
      return [];
    }
  });
}

/** A checkpoint that the log signed and a quorum cosigned. */
export interface VerifiedCheckpoint extends Checkpoint {
  readonly note: string;
  /** The directory's witnesses whose cosignature verified, with the time each gives (seconds). */
  readonly cosigners: readonly { readonly name: string; readonly timestamp: number }[];
  readonly quorum: number;
}

/**
 * Verifies a checkpoint note: its text is a checkpoint (of `origin` when given), one of `logKeys`
 * signed it, and at least `policy.quorum` distinct witnesses of the policy cosigned it. Signatures by
 * unknown keys are ignored; a known key's signature that fails rejects the whole note (signed-note).
 */
export async function verifyCheckpoint(
  note: string,
  options: { readonly logKeys: readonly NoteKey[]; readonly policy: WitnessPolicy; readonly origin?: string },
): Promise<VerifiedCheckpoint> {
  let text: string;
  let signatures: ReturnType<typeof parseNote>['signatures'];
  let checkpoint: Checkpoint;
  try {
    ({ text, signatures } = parseNote(note));
    checkpoint = parseCheckpointText(text);
  } catch (error) {
    throw new CheckpointError('malformed', `the checkpoint is malformed: ${(error as Error).message}`);
  }
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new CheckpointError('origin', `the checkpoint is of log ${checkpoint.origin}, not ${options.origin}.`);
  }
  const message = encoder.encode(text);
  const find = (keys: readonly NoteKey[], s: { name: string; keyId: number }) =>
    keys.find((k) => k.name === s.name && k.keyId === s.keyId);
  let logSigned = false;
  const cosigners = new Map<string, { name: string; timestamp: number }>();
  for (const s of signatures) {
    const logKey = find(options.logKeys, s);
    if (logKey) {
      if (!(await verifyNoteSignature(logKey, message, s.signature))) {
        throw new CheckpointError(
          'badSignature',
          `the log's signature on the checkpoint of ${checkpoint.origin} does not verify.`,
        );
      }
      logSigned = true;
      continue;
    }
    const witness = find(options.policy.witnesses, s);
    if (!witness) continue;
    const timestamp =
      s.signature.length === 72 ? Number(new DataView(s.signature.buffer, s.signature.byteOffset).getBigUint64(0)) : -1;
    const valid =
      timestamp > 0 &&
      Number.isSafeInteger(timestamp) &&
      (await verifyEd25519(witness, cosignatureMessage(text, timestamp), s.signature.subarray(8)));
    if (!valid) {
      throw new CheckpointError(
        'badSignature',
        `the cosignature of witness ${witness.name} on the checkpoint of ${checkpoint.origin} does not verify.`,
      );
    }
    // Keyed by the public key: one key listed under two names is one witness.
    cosigners.set(toBase64(witness.publicKey), { name: witness.name, timestamp });
  }
  if (!logSigned) {
    throw new CheckpointError(
      'notSignedByLog',
      `the checkpoint of ${checkpoint.origin} is not signed by a key of its log.`,
    );
  }
  const { quorum } = options.policy;
  if (cosigners.size < quorum) {
    throw new CheckpointError(
      'quorum',
      `only ${cosigners.size} of the ${quorum} witnesses needed cosigned head ${checkpoint.size} of log ${checkpoint.origin}.`,
      cosigners.size,
      quorum,
    );
  }
  return {
    ...checkpoint,
    note,
    cosigners: [...cosigners.values()],
    quorum,
  };
}
