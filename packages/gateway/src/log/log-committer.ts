import type { LogEntry } from '@poortwachter/protocol';
import { type AccessLogStore, type LogWrite, loggedRefusal } from '../storage/access-log-store.ts';
import { BatchQueue, type GroupCommitter } from './group-commit.ts';
import type { MerkleTree } from './merkle/merkle-log.ts';

/**
 * The gateway's group-committed log: each batch's access records, refusals and (with a tree) their
 * Merkle leaves, in the order submitted, and completed subtrees go in one transaction; the in-memory
 * tree moves only after it commits, so a released response always has its leaf; after a failed
 * commit the tree is re-read from the database before the next batch. Refusals are leaves too: what a report counts of them is proven as well.
 */
export function createLogCommitter(
  store: AccessLogStore,
  tree?: MerkleTree,
  options: { readonly reloadTree?: () => Promise<MerkleTree> } = {},
): GroupCommitter<LogWrite, void> {
  // Set after a failed commit: the next batch first re-reads the tree from the database.
  let unsure = false;
  return new BatchQueue<LogWrite, void>(async (writes) => {
    if (unsure && tree && options.reloadTree) {
      tree.resetTo(await options.reloadTree());
      unsure = false;
    }
    const entries = writes.flatMap((w): LogEntry[] =>
      'accessRecords' in w
        ? w.accessRecords.map(({ id, record }) => ({ id, record }))
        : [{ id: w.refusal.id, refusal: loggedRefusal(w.refusal) }],
    );
    const append = tree && entries.length > 0 ? tree.prepare(entries) : undefined;
    try {
      await store.writeBatch(writes, append);
    } catch (error) {
      // The transaction may have committed before its flush failed (EIO, a full disk): then its leaves
      // are in the database and the in-memory tree is behind. Nobody was answered; the next batch
      // re-reads the tree, so the log goes on from what is stored instead of failing on every batch.
      unsure = true;
      throw error;
    }
    append?.commit();
    return writes.map(() => undefined);
  });
}
