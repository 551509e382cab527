/** The body of C2SP tlog-witness `add-checkpoint` (https://c2sp.org/tlog-witness): one writer, one parser. */
import { fromBase64, toBase64 } from '../bytes.ts';
import { NoteError } from './note.ts';

/** The content type of a 409 answer: the size of the witness's latest cosigned checkpoint. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
/** At most this many consistency proof lines (the spec's limit). */
export const MAX_PROOF_LINES = 63;

export function addCheckpointBody(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0)
    throw new NoteError('the old size is a whole number of at least 0.');
  if (proof.length > MAX_PROOF_LINES) throw new NoteError(`a consistency proof has at most ${MAX_PROOF_LINES} hashes.`);
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
}

/** Reads an add-checkpoint body; throws NoteError (answered 400) when it does not follow the grammar. */
export function parseAddCheckpoint(body: string): { oldSize: number; proof: Uint8Array[]; note: string } {
  const end = body.indexOf('\n\n');
  if (end < 0)
    throw new NoteError('the request has an old size line, the proof lines, a blank line and the checkpoint.');
  const [first, ...proofLines] = body.slice(0, end).split('\n') as [string, ...string[]];
  const old = /^old (0|[1-9][0-9]*)$/.exec(first);
  if (!old || !Number.isSafeInteger(Number(old[1])))
    throw new NoteError('the first line is `old <size>`, a decimal without leading zeroes.');
  if (proofLines.length > MAX_PROOF_LINES)
    throw new NoteError(`a consistency proof has at most ${MAX_PROOF_LINES} hashes.`);
  const proof = proofLines.map((line) => {
    let hash: Uint8Array | undefined;
    try {
      hash = fromBase64(line);
    } catch {
      hash = undefined;
    }
    if (hash?.length !== 32 || !hash || toBase64(hash) !== line)
      throw new NoteError('each proof line is one SHA-256 hash in standard base64.');
    return hash;
  });
  return { oldSize: Number(old[1]), proof, note: body.slice(end + 2) };
}
