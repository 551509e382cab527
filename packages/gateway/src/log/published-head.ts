import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64, toBase64, verifyConsistency } from '@poortwachter/protocol';
import { writeFileAtomic } from '@poortwachter/sdk';
import type { Kysely } from 'kysely';
import type { GatewayDatabase } from '../storage/tables.ts';
import type { MerkleTree } from './merkle/merkle-log.ts';
import { consistencyProof } from './merkle/merkle-store.ts';

/** The newest head a log has published, as remembered outside its database. */
export interface PublishedHead {
  readonly log_id: string;
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
  /** The signed head (absent only for a reference an operator confirmed before it was signed again). */
  readonly jws?: string;
}

/** An operator's confirmation of a rollback, kept in the file: from which head to which, and when. */
export interface ConfirmedRollback {
  readonly at: string;
  readonly from: { readonly tree_size: number; readonly root_hash: string };
  readonly to: { readonly tree_size: number; readonly root_hash: string };
}

interface PublishedHeadFile {
  readonly format: 'poortwachter-published-head/1';
  readonly head: PublishedHead;
  readonly confirmedRollbacks?: readonly ConfirmedRollback[];
}

/** Where the database's log no longer extends the head published before: both heads and why. */
export interface Rollback {
  readonly logId: string;
  readonly published: PublishedHead;
  readonly stored: { readonly tree_size: number; readonly root_hash: string };
  /** `smaller`: fewer leaves than published; `inconsistent`: the published head is not a prefix of it. */
  readonly kind: 'smaller' | 'inconsistent';
  /** One line for the operator: both heads and how to confirm. */
  readonly message: string;
}

/** The value of CONFIRM_ROLLBACK_TO that confirms serving from `stored`: `<size>:<root>`. */
export const confirmationOf = (stored: { tree_size: number; root_hash: string }) =>
  `${stored.tree_size}:${stored.root_hash}`;

/**
 * The newest published head of each log, one small file per log in a folder outside the database
 * (`<DATA_DIR>/published-heads` by default): written atomically before a new head is stored, so what
 * the gateway has shown is never ahead of the file. A database restored from a backup does not roll it
 * back; a restore of the folder (or of the whole data folder) does, and so does losing it: the
 * auditors' heads (and the witnesses of issue 30) are the check that does not depend on this machine.
 */
export function publishedHeads(dir: string) {
  const fileOf = (logId: string) => join(dir, `${encodeURIComponent(logId)}.json`);
  const readFile = (logId: string): PublishedHeadFile | undefined => {
    const file = fileOf(logId);
    if (!existsSync(file)) return undefined;
    let parsed: Partial<PublishedHeadFile>;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PublishedHeadFile>;
    } catch (error) {
      throw new Error(
        `${file} cannot be read (${(error as Error).message}): restore it, or remove it only if you know why`,
      );
    }
    const head = parsed.head;
    if (parsed.format !== 'poortwachter-published-head/1' || !head || head.log_id !== logId) {
      throw new Error(`${file} is not a published head of log ${logId}: restore it, or remove it only if you know why`);
    }
    return parsed as PublishedHeadFile;
  };
  const write = (head: PublishedHead, confirmedRollbacks: readonly ConfirmedRollback[] | undefined) => {
    const content: PublishedHeadFile = {
      format: 'poortwachter-published-head/1',
      head,
      ...(confirmedRollbacks?.length ? { confirmedRollbacks } : {}),
    };
    writeFileAtomic(fileOf(head.log_id), `${JSON.stringify(content, null, 2)}\n`, {
      mode: 0o600,
      directoryMode: 0o700,
    });
  };
  return {
    file: fileOf,
    /** The newest head published of `logId`, or undefined when none was remembered here. */
    read: (logId: string) => readFile(logId)?.head,
    /** Remembers `head` as published (keeps the confirmed rollbacks). */
    remember(head: PublishedHead) {
      write(head, readFile(head.log_id)?.confirmedRollbacks);
    },
    /** Makes the stored state the reference after an operator confirmed the rollback, and records it. */
    confirm(rollback: Rollback, now = new Date()): ConfirmedRollback {
      const previous = readFile(rollback.logId)?.confirmedRollbacks ?? [];
      const record: ConfirmedRollback = {
        at: now.toISOString(),
        from: { tree_size: rollback.published.tree_size, root_hash: rollback.published.root_hash },
        to: rollback.stored,
      };
      write({ log_id: rollback.logId, ...rollback.stored, timestamp: now.getTime() }, [...previous, record]);
      return record;
    },
  };
}

export type PublishedHeads = ReturnType<typeof publishedHeads>;

/**
 * Whether the log as stored in the database still extends `published`: as large, and the published
 * root a prefix of it (an RFC 9162 consistency proof from the stored nodes). Undefined when it does.
 */
export async function rollbackOf(
  db: Kysely<GatewayDatabase>,
  tree: MerkleTree,
  published: PublishedHead,
): Promise<Rollback | undefined> {
  const stored = { tree_size: tree.size, root_hash: toBase64(tree.root()) };
  const make = (kind: Rollback['kind'], why: string): Rollback => ({
    logId: tree.logId,
    published,
    stored,
    kind,
    message:
      `ROLLBACK of log ${tree.logId}: it published size ${published.tree_size} (root ${published.root_hash}, ` +
      `signed ${new Date(published.timestamp).toISOString()}) but its database holds size ${stored.tree_size} ` +
      `(root ${stored.root_hash}), ${why}; refusing to serve until an operator confirms with ` +
      `CONFIRM_ROLLBACK_TO=${confirmationOf(stored)}`,
  });
  if (published.tree_size === 0) return undefined;
  if (stored.tree_size < published.tree_size) return make('smaller', 'fewer records than it published');
  try {
    const proof =
      stored.tree_size === published.tree_size
        ? []
        : await consistencyProof(db, tree.logId, published.tree_size, stored.tree_size);
    verifyConsistency(
      published.tree_size,
      stored.tree_size,
      proof.map(fromBase64),
      fromBase64(published.root_hash),
      fromBase64(stored.root_hash),
    );
    return undefined;
  } catch (error) {
    return make('inconsistent', `which does not extend it (${(error as Error).message})`);
  }
}
