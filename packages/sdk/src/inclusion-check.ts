import type { DirectorySnapshot, Organisation } from '@poortwachter/protocol';
import { accessLeafHash, fromBase64, MerkleProofError, verifyInclusion, verifyTreeHead } from '@poortwachter/protocol';
import { type CitizenAccess, citizenView, type LoggedAccess } from './citizen-view.ts';
import { readVerified } from './gateway-calls.ts';
import { SdkError } from './sdk-error.ts';
import { UnwitnessedHeadError, type Witnessed, witnessedHead } from './witnessed-head.ts';

/** Whether a record was proven to be in the bronhouder's verifiable log (with `verify: true`). */
export type InclusionCheck =
  | {
      readonly verified: true;
      readonly logId: string;
      readonly leafIndex: number;
      readonly treeSize: number;
      /** The directory's witnesses that cosigned the head, and the quorum (0: the directory lists none). */
      readonly witnessed: Witnessed;
    }
  | {
      readonly verified: false;
      readonly reason: string;
      /** Set when the head lacked the witnesses' quorum: how many cosigned, and how many are required. */
      readonly unwitnessed?: { readonly cosigned: number; readonly quorum: number };
    };

interface InclusionAnswer {
  id: string;
  record: LoggedAccess['record'];
  log_id: string;
  leaf_index: number;
  /** The signed head, and its checkpoint (a C2SP signed note) with the witnesses' cosignatures. */
  head: { jws: string; checkpoint?: unknown };
  proof: string[];
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 1100));

/**
 * Checks one record on the user's side: the gateway's signed answer holds the record as stored and
 * an inclusion proof; the tree head is signed by the bronhouder and, as its checkpoint of exactly that
 * size and root, cosigned by the directory's quorum of witnesses (so it is the one history everyone is
 * shown, not one branch of a split view); the leaf hash of the record leads to the head's root; and
 * the record is the access the timeline shows (same id, time and organisation).
 */
export async function checkInclusion(
  fetchImpl: typeof globalThis.fetch,
  base: string,
  token: string,
  access: CitizenAccess,
  provider: Organisation | undefined,
  snapshot: DirectorySnapshot,
): Promise<InclusionCheck> {
  const name = `record ${access.id} (${access.tijdstip}, ${access.organisatie.naam})`;
  // A record from the last seconds may not be under a signed head yet (503), or its head may not be
  // cosigned yet (the gateway collects cosignatures in the background): ask again shortly.
  for (let attempt = 0; ; attempt++) {
    try {
      return await proveOnce(fetchImpl, base, token, access, provider, snapshot, name);
    } catch (error) {
      if (error instanceof UnwitnessedHeadError && error.cosigned < error.quorum && attempt < 3) {
        await pause();
        continue;
      }
      const reason = error instanceof Error ? error.message : String(error);
      return {
        verified: false,
        reason: `${name}: ${reason}`,
        ...(error instanceof UnwitnessedHeadError
          ? { unwitnessed: { cosigned: error.cosigned, quorum: error.quorum } }
          : {}),
      };
    }
  }
}

async function proveOnce(
  fetchImpl: typeof globalThis.fetch,
  base: string,
  token: string,
  access: CitizenAccess,
  provider: Organisation | undefined,
  snapshot: DirectorySnapshot,
  name: string,
): Promise<InclusionCheck> {
  let res: Response | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    res = await fetchImpl(`${base}/inzage/v1/verwerkingen/${encodeURIComponent(access.id)}/bewijs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 503) break;
    await res.body?.cancel();
    await pause();
  }
  if (!res) throw new Error('no answer');
  let answer: InclusionAnswer;
  try {
    answer = await readVerified<InclusionAnswer>(res, provider);
  } catch (error) {
    if (!(error instanceof SdkError) || !error.problem) throw error;
    return { verified: false, reason: `${name} is not in the verifiable log: ${error.problem.detail ?? res.status}` };
  }
  const head = await verifyTreeHead(answer.head.jws, provider, answer.log_id);
  if (answer.id !== access.id) throw new MerkleProofError(`the proof is for record ${answer.id}.`);
  // What the timeline showed must be what the proven record says.
  if (JSON.stringify(citizenView(answer, snapshot, access.dienst)) !== JSON.stringify(access)) {
    throw new MerkleProofError('the timeline shows something else than the log holds for this record.');
  }
  verifyInclusion(
    answer.leaf_index,
    head.tree_size,
    accessLeafHash({ id: answer.id, record: answer.record }),
    answer.proof.map((p) => fromBase64(p)),
    fromBase64(head.root_hash),
  );
  const checkpoint = typeof answer.head.checkpoint === 'string' ? answer.head.checkpoint : undefined;
  const witnessed = await witnessedHead(head, checkpoint, provider, snapshot);
  return { verified: true, logId: head.log_id, leafIndex: answer.leaf_index, treeSize: head.tree_size, witnessed };
}
