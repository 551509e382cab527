import {
  type Checkpoint,
  CheckpointError,
  cosignCheckpoint,
  emptyRoot,
  equalBytes,
  MerkleProofError,
  NoteError,
  type NoteKey,
  parseAddCheckpoint,
  parseCheckpointText,
  parseNote,
  TLOG_SIZE_CONTENT_TYPE,
  verifyCheckpoint,
  verifyConsistency,
} from '@poortwachter/protocol';
import { type LogKeySource, LogKeysUnavailableError } from './log-keys.ts';
import type { WitnessKey } from './witness-key.ts';
import type { WitnessLogState, WitnessStore } from './witness-state.ts';

/** One answer of the witness: status, content type and body, as C2SP tlog-witness prescribes them. */
export interface WitnessAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * What a witness tells its operator: each cosignature, and each request that a log it knows signed but
 * that is not consistent with what it cosigned before (C2SP: "it might be proof of log misbehavior").
 */
export type WitnessEvent =
  | { readonly event: 'cosigned'; readonly origin: string; readonly oldSize: number; readonly size: number }
  | {
      readonly event: 'inconsistent';
      readonly origin: string;
      /** The size the witness cosigned last. */
      readonly cosignedSize: number;
      readonly size: number;
      readonly reason: string;
    };

export interface WitnessService {
  readonly key: WitnessKey;
  readonly store: WitnessStore;
  readonly logKeys: LogKeySource;
  /** POSIX seconds (default: the clock). */
  readonly now?: () => number;
  readonly log?: (event: WitnessEvent) => void;
}

const TEXT = 'text/plain; charset=utf-8';
const answer = (status: number, body: string, contentType = TEXT): WitnessAnswer => ({
  status,
  contentType,
  body: body.endsWith('\n') ? body : `${body}\n`,
});

/**
 * C2SP tlog-witness `add-checkpoint`: the body is an old size, a consistency proof and a checkpoint; the
 * answer is this witness's cosignature line (200) only when the log signed the checkpoint with a key the
 * witness trusts for its origin and it extends the checkpoint the witness cosigned last. Otherwise:
 * 400 malformed (or old size above the new size), 404 a log it does not know, 403 no valid signature of
 * the log (or one of its key that fails), 409 the old size is not the size it cosigned last (the body
 * names that size, `text/x.tlog.size`), 422 not consistent (a fork or a rollback: never cosigned), 503
 * it has no verified directory yet. The check of the old size and the write of the new state are one
 * step per log, and the new state is on disk before the answer.
 *
 * @example
 * const { status, body } = await addCheckpoint(witness, addCheckpointBody(0, [], note));
 */
export async function addCheckpoint(witness: WitnessService, body: string): Promise<WitnessAnswer> {
  let request: ReturnType<typeof parseAddCheckpoint>;
  let checkpoint: Checkpoint;
  let signatures: ReturnType<typeof parseNote>['signatures'];
  let text: string;
  try {
    request = parseAddCheckpoint(body);
    ({ text, signatures } = parseNote(request.note));
    checkpoint = parseCheckpointText(text);
  } catch (error) {
    if (error instanceof NoteError) return answer(400, `Malformed request: ${error.message}`);
    throw error;
  }
  const { origin } = checkpoint;

  let keys: readonly NoteKey[] | undefined;
  try {
    keys = await witness.logKeys.keysFor(origin);
  } catch (error) {
    if (error instanceof LogKeysUnavailableError)
      return answer(503, `This witness cannot check logs yet: ${error.message}`);
    throw error;
  }
  if (!keys) return answer(404, `This witness does not know the log ${origin}.`);

  // Every signature line of a trusted key must verify (signed-note: a failing one makes the note malformed).
  const refusal = await logSignatureRefusal(request.note, keys, origin);
  if (refusal) return refusal;
  const logged = signatures
    .filter((s) => keys.some((k) => k.name === s.name && k.keyId === s.keyId))
    .map((s) => s.line)
    .join('');

  const { oldSize, proof } = request;
  if (oldSize > checkpoint.size)
    return answer(400, `The old size ${oldSize} is larger than the checkpoint's size ${checkpoint.size}.`);

  const now = witness.now ?? (() => Math.floor(Date.now() / 1000));
  const result = await witness.store.update(origin, async (current) => {
    const cosignedSize = current?.size ?? 0;
    if (oldSize !== cosignedSize) return { result: answer(409, `${cosignedSize}\n`, TLOG_SIZE_CONTENT_TYPE) };
    const inconsistency = inconsistencyOf(current, oldSize, proof, checkpoint);
    if (inconsistency) {
      witness.log?.({ event: 'inconsistent', origin, cosignedSize, size: checkpoint.size, reason: inconsistency });
      return { result: answer(422, inconsistency) };
    }
    // Never earlier than the cosignature before it, also when the clock was set back.
    const timestamp = Math.max(now(), current?.cosignedAt ?? 0, 1);
    const line = normaliseLine(
      await cosignCheckpoint(request.note, { name: witness.key.name, privateJwk: witness.key.privateJwk }, timestamp),
    );
    const next: WitnessLogState = {
      origin,
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      note: `${text}\n${logged}${line}`,
      cosignedAt: timestamp,
    };
    return { next, result: answer(200, line) };
  });
  // Once the new state is on disk (`update` resolved).
  if (result.status === 200) witness.log?.({ event: 'cosigned', origin, oldSize, size: checkpoint.size });
  return result;
}

/** Why the log's signature does not count (403, or 400 for a note that is malformed), or undefined. */
async function logSignatureRefusal(
  note: string,
  keys: readonly NoteKey[],
  origin: string,
): Promise<WitnessAnswer | undefined> {
  try {
    await verifyCheckpoint(note, { logKeys: keys, policy: { witnesses: [], quorum: 0 }, origin });
    return undefined;
  } catch (error) {
    if (error instanceof NoteError) return answer(400, `Malformed checkpoint: ${error.message}`);
    if (!(error instanceof CheckpointError)) throw error;
    if (error.code === 'malformed') return answer(400, `Malformed checkpoint: ${error.message}`);
    return answer(403, `The log's signature does not count: ${error.message}`);
  }
}

/** Why `checkpoint` does not extend the cosigned state (422), or undefined when it does. */
function inconsistencyOf(
  current: WitnessLogState | undefined,
  oldSize: number,
  proof: readonly Uint8Array[],
  checkpoint: Checkpoint,
): string | undefined {
  if (checkpoint.size === 0 && !equalBytes(checkpoint.rootHash, emptyRoot()))
    return 'A checkpoint of size 0 must have the root hash of the empty tree.';
  if (oldSize === 0) return proof.length === 0 ? undefined : 'From old size 0 the consistency proof must be empty.';
  // oldSize equals the cosigned size here, so `current` is there.
  const cosigned = current as WitnessLogState;
  try {
    verifyConsistency(oldSize, checkpoint.size, proof, cosigned.rootHash, checkpoint.rootHash);
    return undefined;
  } catch (error) {
    if (!(error instanceof MerkleProofError)) throw error;
    return `Not consistent with the checkpoint of size ${oldSize} this witness cosigned: ${error.message}`;
  }
}

const normaliseLine = (line: string) => (line.endsWith('\n') ? line : `${line}\n`);
