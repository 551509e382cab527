import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import type { Organisation } from '../domain/model.ts';
import { MerkleProofError } from './verify.ts';

export const TREE_HEAD_TYP = 'poortwachter-tree-head+jws';

/** A signed tree head's payload, after its signature was checked. */
export interface TreeHead {
  readonly log_id: string;
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
}

/**
 * Verifies a signed tree head (compact JWS, typ `poortwachter-tree-head+jws`) against the active keys
 * of the bronhouder in the verified directory, and that it is the head of `logId`.
 */
export async function verifyTreeHead(
  jws: string,
  provider: Organisation | undefined,
  logId?: string,
): Promise<TreeHead> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new MerkleProofError('the tree head is not a JWS.');
  }
  if (header.typ !== TREE_HEAD_TYP) throw new MerkleProofError(`the tree head has typ ${String(header.typ)}.`);
  const key = provider?.keys.find((k) => k.kid === header.kid && k.status === 'active');
  if (!key || (header.alg !== 'EdDSA' && header.alg !== 'ES256')) {
    throw new MerkleProofError(`the tree head is not signed by a key of ${provider?.name ?? 'the bronhouder'}.`);
  }
  let payload: TreeHead;
  try {
    const verified = await compactVerify(jws, await importJWK({ ...key.jwk }, header.alg), {
      algorithms: [header.alg],
    });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as TreeHead;
  } catch {
    throw new MerkleProofError(
      `the tree head's signature does not verify against ${provider?.name ?? 'the bronhouder'}.`,
    );
  }
  if (
    !Number.isSafeInteger(payload.tree_size) ||
    typeof payload.root_hash !== 'string' ||
    typeof payload.log_id !== 'string'
  ) {
    throw new MerkleProofError('the tree head payload is malformed.');
  }
  if (logId !== undefined && payload.log_id !== logId) {
    throw new MerkleProofError(`the tree head is of log ${payload.log_id}, not ${logId}.`);
  }
  return payload;
}
