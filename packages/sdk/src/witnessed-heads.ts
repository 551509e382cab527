import {
  CheckpointError,
  equalBytes,
  fromBase64,
  logNoteKeys,
  logOrigin,
  type Organisation,
  parseCheckpointText,
  parseNote,
  type TreeHead,
  type VerifiedCheckpoint,
  verifyCheckpoint,
  verifyTreeHead,
  type WitnessPolicy,
} from '@poortwachter/protocol';

/** A signed head the auditor may check and keep: cosigned by the directory's quorum of witnesses. */
export interface AcceptedHead {
  readonly head: TreeHead;
  readonly jws: string;
  /** Its checkpoint with the cosignatures that make the quorum (none when the directory lists no witnesses). */
  readonly checkpoint?: VerifiedCheckpoint;
}

/** Which head of a log an auditor checks: the newest one the quorum of witnesses cosigned. */
export interface WitnessedHeads {
  /** The head to check and keep; absent when no head of the log has the quorum yet. */
  readonly accepted?: AcceptedHead;
  /** The newest signed head when the quorum has not cosigned it (yet), and why: not a finding, a wait. */
  readonly notWitnessed?: { readonly head: TreeHead; readonly reason: string };
  /** A checkpoint the log signed for the newest head's size with another root: a fork, signed. */
  readonly finding?: string;
  /** The quorum the directory asks for (0: it lists no witnesses, and every signed head is taken as before). */
  readonly quorum: number;
}

/** What `witnessedHeads` needs to read a log beyond the row of `/log/v1/heads`. */
export interface LogReader {
  /** The body of `GET <log>/checkpoint`, or undefined when the log serves none (404). */
  checkpoint(): Promise<string | undefined>;
  /** The signed head (JWS) of exactly this size. */
  headJws(size: number): Promise<string>;
}

/**
 * Chooses the head of a log an auditor may check: with witnesses in the directory, the newest head
 * whose checkpoint carries the log's signature and cosignatures of the quorum, of exactly that head's
 * size and root. The newest head (`newest`, its JWS already verified) comes with its checkpoint in the
 * heads row; when that lacks the quorum, the log's `/checkpoint` (the newest with the quorum) is asked,
 * with the signed head of its size. A newest head without the quorum is reported as not yet
 * witnessed (the witnesses may be catching up), never checked or kept as an anchor. Without witnesses
 * in the directory every signed head is accepted, as before.
 *
 * @example
 * const { accepted, notWitnessed } = await witnessedHeads({ oin, provider, policy, newest, jws, reader });
 */
export async function witnessedHeads(options: {
  readonly oin: string;
  readonly provider: Organisation | undefined;
  readonly policy: WitnessPolicy;
  readonly newest: TreeHead;
  readonly jws: string;
  /** The checkpoint the heads row carries, if any. */
  readonly checkpoint?: string;
  readonly reader: LogReader;
}): Promise<WitnessedHeads> {
  const { newest, policy } = options;
  const quorum = policy.quorum;
  if (quorum === 0) return { accepted: { head: newest, jws: options.jws }, quorum };
  const origin = logOrigin(options.oin, newest.log_id);
  const logKeys = logNoteKeys(options.provider, origin);
  const verify = (note: string) => verifyCheckpoint(note, { logKeys, policy, origin });
  const ofHead = (c: VerifiedCheckpoint, head: TreeHead) =>
    c.size === head.tree_size && equalBytes(c.rootHash, fromBase64(head.root_hash));

  let reason = `the gateway serves no checkpoint for head ${newest.tree_size}`;
  if (options.checkpoint !== undefined) {
    try {
      const verified = await verify(options.checkpoint);
      if (ofHead(verified, newest))
        return { accepted: { head: newest, jws: options.jws, checkpoint: verified }, quorum };
      reason = `its checkpoint is of size ${verified.size} with another root than the signed head`;
    } catch (error) {
      const fork = signedFork(error, options.checkpoint, newest);
      if (fork) return { finding: fork, quorum };
      reason = (error as Error).message;
    }
  }
  const notWitnessed = {
    head: newest,
    reason: `head ${newest.tree_size} of log ${newest.log_id} is not yet witnessed: ${reason}`,
  };
  let note: string | undefined;
  try {
    note = await options.reader.checkpoint();
  } catch (error) {
    return {
      notWitnessed: {
        ...notWitnessed,
        reason: `${notWitnessed.reason}; its checkpoint could not be read: ${(error as Error).message}`,
      },
      quorum,
    };
  }
  if (note === undefined) return { notWitnessed, quorum };
  let cosigned: VerifiedCheckpoint;
  try {
    cosigned = await verify(note);
  } catch (error) {
    return {
      notWitnessed: {
        ...notWitnessed,
        reason: `${notWitnessed.reason}; no head of it has the quorum yet (${(error as Error).message})`,
      },
      quorum,
    };
  }
  if (ofHead(cosigned, newest)) return { accepted: { head: newest, jws: options.jws, checkpoint: cosigned }, quorum };
  if (cosigned.size === newest.tree_size) {
    return {
      finding: `FORK of log ${newest.log_id}: the witnesses cosigned a checkpoint of size ${newest.tree_size} with another root than the log's signed head of that size.`,
      quorum,
    };
  }
  const jws = await options.reader.headJws(cosigned.size);
  const head = await verifyTreeHead(jws, options.provider, newest.log_id);
  if (!ofHead(cosigned, head)) {
    return {
      finding: `FORK of log ${newest.log_id}: the witnesses cosigned a checkpoint of size ${cosigned.size} with another root than the log's signed head of that size.`,
      quorum,
    };
  }
  return {
    accepted: { head, jws, checkpoint: cosigned },
    ...(cosigned.size < newest.tree_size ? { notWitnessed } : {}),
    quorum,
  };
}

/** A checkpoint short of the quorum that the log itself signed for the newest size with another root: a fork. */
function signedFork(error: unknown, note: string, newest: TreeHead): string | undefined {
  // Code 'quorum': the log's signature held, only cosignatures were missing, so the note is the log's word.
  if (!(error instanceof CheckpointError) || error.code !== 'quorum') return undefined;
  const signed = parseCheckpointText(parseNote(note).text);
  if (signed.size !== newest.tree_size || equalBytes(signed.rootHash, fromBase64(newest.root_hash))) return undefined;
  return `FORK of log ${newest.log_id}: the log signed a checkpoint of size ${newest.tree_size} with another root than its signed head of that size.`;
}
