import type { LogEntry } from '@poortwachter/protocol';
import { type AccessLogStore, type LogWrite, loggedRefusal } from '../storage/access-log-store.ts';
import { GroupCommitter } from './group-commit.ts';
import type { MerkleTree } from './merkle/merkle-log.ts';

/**
 * The gateway's group-committed log: each batch's access records, refusals and (with a tree) their
 * Merkle leaves, in the order submitted, and completed subtrees go in one transaction; the in-memory
 * tree moves only after it commits, so a released response always has its leaf and a failed commit
 * leaves the tree as it was. Refusals are leaves too: what a report counts of them is proven as well.
 */
export function createLogCommitter(store: AccessLogStore, tree?: MerkleTree): GroupCommitter<LogWrite, void> {
  return new GroupCommitter<LogWrite, void>(async (writes) => {
    const entries = writes.flatMap((w): LogEntry[] =>
      'accessRecords' in w
        ? w.accessRecords.map(({ id, record }) => ({ id, record }))
        : [{ id: w.refusal.id, refusal: loggedRefusal(w.refusal) }],
    );
    const append = tree && entries.length > 0 ? tree.prepare(entries) : undefined;
    await store.writeBatch(writes, append);
    append?.commit();
    return writes.map(() => undefined);
  });
}
