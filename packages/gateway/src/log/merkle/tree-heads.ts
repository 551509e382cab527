import { logOrigin, signCheckpoint, toBase64 } from '@poortwachter/protocol';
import { CompactSign, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { GatewayDatabase } from '../../storage/tables.ts';
import type { FailureReport } from '../refusal-recorder.ts';
import type { MerkleTree } from './merkle-log.ts';
import { headOf, type TreeHead } from './merkle-store.ts';

/** The JOSE `typ` of a signed tree head. */
export const TREE_HEAD_TYP = 'poortwachter-tree-head+jws';

/** Signs `{ log_id, tree_size, root_hash, timestamp }` as a compact JWS with the bronhouder's key. */
export async function signTreeHead(
  key: JWK,
  head: { log_id: string; tree_size: number; root_hash: string; timestamp: number },
): Promise<string> {
  const alg = key.kty === 'OKP' ? 'EdDSA' : 'ES256';
  return new CompactSign(new TextEncoder().encode(JSON.stringify(head)))
    .setProtectedHeader({ alg, typ: TREE_HEAD_TYP, ...(key.kid ? { kid: key.kid } : {}) })
    .sign(await importJWK(key, alg));
}

/**
 * Keeps signed tree heads coming: at most `intervalMs` (1 s) after new leaves are committed, the
 * current size and root are signed and stored. Returns `stop` (which signs a last head) and `now`.
 */
export async function startTreeHeads(options: {
  db: Kysely<GatewayDatabase>;
  tree: MerkleTree;
  signingKey: JWK;
  intervalMs?: number;
  now?: () => number;
  report?: FailureReport;
  /** Called with each new head before it is stored (and so served): remembers it outside the database. */
  remember?: (head: TreeHead) => void;
  /** While true, no head is signed (a rolled-back log must not publish a head of its other history). */
  held?: () => boolean;
  /**
   * The OIN of the log's owner (the bronhouder of an inway, the afnemer of an outway): names the log's
   * origin `poortwachter/log/<OIN>/<logId>` in the checkpoint signed beside each head. Undefined (no
   * directory yet): that head gets no checkpoint.
   */
  owner?: () => string | undefined;
  /** Called after each new head is stored (the witness collector's cue). */
  signed?: (head: TreeHead) => void;
}) {
  const report = options.report ?? ((message, error) => console.error(`gateway: ${message}`, error));
  const now = options.now ?? Date.now;
  const newest = await headOf(options.db, options.tree.logId, {});
  let last = newest?.tree_size ?? -1;
  let signedAt = newest?.timestamp;
  let running: Promise<TreeHead | undefined> | undefined;
  let warned = false;
  // The C2SP checkpoint of the same size and root, signed as a note with the same key: type 0x01 for
  // Ed25519, 0x02 for P-256. A key the note format cannot carry gets no checkpoint (one warning).
  const checkpointOf = async (size: number, rootHash: Uint8Array): Promise<string | null> => {
    const oin = options.owner?.();
    if (!oin) return null;
    try {
      return await signCheckpoint({ origin: logOrigin(oin, options.tree.logId), size, rootHash }, options.signingKey);
    } catch (error) {
      if (!warned) {
        warned = true;
        report(
          `log ${options.tree.logId}: its key cannot sign a C2SP checkpoint, so no witness cosigns its heads; readers that require a witness quorum will refuse them`,
          error,
        );
      }
      return null;
    }
  };
  const sign = async (): Promise<TreeHead | undefined> => {
    const size = options.tree.size;
    if (size === last || options.held?.()) return undefined;
    const root = options.tree.root();
    const payload = {
      log_id: options.tree.logId,
      tree_size: size,
      root_hash: toBase64(root),
      timestamp: now(),
    };
    const head: TreeHead = {
      ...payload,
      jws: await signTreeHead(options.signingKey, payload),
      checkpoint: await checkpointOf(size, root),
    };
    options.remember?.(head);
    await options.db.insertInto('merkle_heads').values(head).execute();
    last = size;
    signedAt = payload.timestamp;
    options.signed?.(head);
    return head;
  };
  const tick = () => {
    running ??= sign().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(
    () => void tick().catch((error) => report('could not sign a tree head', error)),
    options.intervalMs ?? 1000,
  );
  timer.unref();
  return {
    /** For /readyz: the tree's size and the newest signed head. */
    status: () => ({
      log_id: options.tree.logId,
      tree_size: options.tree.size,
      signed_size: Math.max(last, 0),
      signed_at: signedAt === undefined ? null : new Date(signedAt).toISOString(),
    }),
    /** Signs a head now if the tree grew (tests, shutdown). */
    signNow: async () => {
      await running;
      return tick();
    },
    /** Signs a last head; rejects with the reason when it cannot (a full disk), for the exit code. */
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => undefined);
      try {
        await tick();
      } catch (cause) {
        throw new Error(
          `could not sign the last tree head: ${cause instanceof Error ? cause.message : String(cause)}`,
          {
            cause,
          },
        );
      }
    },
  };
}
