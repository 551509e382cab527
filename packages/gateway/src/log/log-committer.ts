import type { MerkleTree } from '../merkle/merkle-log.ts';
import type { AccessLogStore, LogWrite } from '../storage/access-log-store.ts';
import { GroupCommitter } from './group-commit.ts';

/**
 * The gateway's group-committed log: each batch's access records, refusals and (with a tree) Merkle
 * leaves and completed subtrees go in one transaction; the in-memory tree moves only after it commits,
 * so a released response always has its leaf and a failed commit leaves the tree as it was.
 */
export function createLogCommitter(store: AccessLogStore, tree?: MerkleTree): GroupCommitter<LogWrite, void> {
  return new GroupCommitter<LogWrite, void>(async (writes) => {
    const records = writes.flatMap((w) => ('accessRecords' in w ? w.accessRecords : []));
    const append = tree && records.length > 0 ? tree.prepare(records) : undefined;
    await store.writeBatch(writes, append);
    append?.commit();
    return writes.map(() => undefined);
  });
}
