import {
  CheckpointError,
  type DirectorySnapshot,
  fromBase64,
  logNoteKeys,
  logOrigin,
  type Organisation,
  type TreeHead,
  verifyCheckpoint,
  witnessPolicy,
} from '@poortwachter/protocol';

/**
 * Which witnesses vouched for a head: the names of the directory's witnesses whose cosignatures over
 * the head's checkpoint verified, and the quorum the directory requires (0: the directory lists no
 * witnesses, so nobody vouched and a split view would go unnoticed).
 */
export interface Witnessed {
  readonly cosigners: readonly string[];
  readonly quorum: number;
}

/** A head a reader must not accept: it lacks the witnesses' quorum, or its checkpoint is not the head's. */
export class UnwitnessedHeadError extends Error {
  /** How many directory witnesses cosigned the head, and how many the directory requires. */
  readonly cosigned: number;
  readonly quorum: number;
  constructor(message: string, cosigned: number, quorum: number) {
    super(message);
    this.name = 'UnwitnessedHeadError';
    this.cosigned = cosigned;
    this.quorum = quorum;
  }
}

/**
 * Accepts a verified signed tree head only with a checkpoint (C2SP signed note) of exactly that head,
 * signed by the log's key (an active Ed25519 key of the bronhouder) and cosigned by `witness_quorum`
 * distinct witnesses of the verified directory. Without witnesses in the directory (quorum 0) the head
 * is accepted as before, and `quorum: 0` says that nobody vouched for it. Throws
 * `UnwitnessedHeadError` with a reason for a developer or auditor.
 *
 * @example
 * const head = await verifyTreeHead(answer.head.jws, provider, answer.log_id);
 * const { cosigners } = await witnessedHead(head, answer.head.checkpoint, provider, snapshot);
 */
export async function witnessedHead(
  head: TreeHead,
  checkpoint: string | undefined,
  provider: Organisation | undefined,
  snapshot: DirectorySnapshot,
): Promise<Witnessed> {
  const policy = witnessPolicy(snapshot);
  const name = `head ${head.tree_size} of log ${head.log_id}${provider ? ` of ${provider.name}` : ''}`;
  if (policy.quorum === 0 && checkpoint === undefined) return { cosigners: [], quorum: 0 };
  if (!provider) throw new UnwitnessedHeadError(`${name}: the bronhouder is not in the directory.`, 0, policy.quorum);
  if (checkpoint === undefined) {
    throw new UnwitnessedHeadError(
      `${name} comes without a checkpoint, so no witness vouched for it; the directory requires ${policy.quorum} of its ${policy.witnesses.length} witnesses.`,
      0,
      policy.quorum,
    );
  }
  const origin = logOrigin(provider.oin, head.log_id);
  let verified: Awaited<ReturnType<typeof verifyCheckpoint>>;
  try {
    verified = await verifyCheckpoint(checkpoint, { logKeys: logNoteKeys(provider, origin), policy, origin });
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    if (error.code === 'quorum') {
      throw new UnwitnessedHeadError(
        `only ${error.cosigned} of ${error.quorum} witnesses cosigned ${name} (the directory's quorum is ${error.quorum} of ${policy.witnesses.length}); a head no quorum of witnesses vouched for may be one branch of a split view.`,
        error.cosigned,
        error.quorum,
      );
    }
    throw new UnwitnessedHeadError(`the checkpoint of ${name} is refused: ${error.message}`, 0, policy.quorum);
  }
  // The checkpoint must be of exactly this head: a cosigned checkpoint of another size or root vouches
  // for another tree, not for the one this record was proven in.
  if (verified.size !== head.tree_size || !sameBytes(verified.rootHash, fromBase64(head.root_hash))) {
    throw new UnwitnessedHeadError(
      `the checkpoint (size ${verified.size}) is not of ${name}: a witnessed checkpoint vouches only for its own size and root.`,
      0,
      policy.quorum,
    );
  }
  return { cosigners: verified.cosigners.map((c) => c.name), quorum: policy.quorum };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
