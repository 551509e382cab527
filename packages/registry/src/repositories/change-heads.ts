import {
  CHANGE_LOG_ID,
  type ChangeLogHead,
  type Checkpoint,
  REGISTRY_CHANGES_ORIGIN,
  rangeRoot,
  toBase64,
  withSignatures,
} from '@poortwachter/protocol';
import { type Kysely, sql } from 'kysely';
import type { RegistryDatabase } from '../storage/database.ts';
import type { ChangeHeadRow } from '../storage/tables/change-head.table.ts';
import { changeLeaves } from './changes.ts';

/** What signs a head: the JWS head and the checkpoint beside it, both with the registry key. */
export interface ChangeHeadSigner {
  signHead(head: ChangeLogHead): Promise<string>;
  signCheckpoint(checkpoint: Checkpoint): Promise<string>;
}

/** A signed head of the change log as served: the JWS head's fields, its JWS and its checkpoint with cosignatures. */
export interface ServedChangeHead {
  readonly log_id: string;
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
  readonly jws: string;
  readonly checkpoint: string;
}

const served = (row: ChangeHeadRow, lines: readonly string[]): ServedChangeHead => ({
  log_id: CHANGE_LOG_ID,
  tree_size: Number(row.tree_size),
  root_hash: row.root_hash,
  timestamp: Number(row.timestamp),
  jws: row.jws,
  checkpoint: lines.length === 0 ? row.checkpoint : withSignatures(row.checkpoint, lines),
});

async function newestRow(db: Kysely<RegistryDatabase>): Promise<ChangeHeadRow | undefined> {
  return db.selectFrom('registry_change_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

/**
 * The newest signed head of the change log, signing one (JWS and checkpoint, the same size and root)
 * when the log grew since. One row per size: a head is never signed twice, so the witnesses are only
 * ever asked about one root per size.
 */
export async function signedChangeHead(db: Kysely<RegistryDatabase>, signer: ChangeHeadSigner): Promise<ChangeHeadRow> {
  const newest = await newestRow(db);
  // The witnessing asks every second: the leaves are read only when the log's size moved.
  const counted = await db
    .selectFrom('registry_changes')
    .select((e) => e.fn.countAll<number | string | bigint>().as('size'))
    .executeTakeFirst();
  if (newest && Number(newest.tree_size) === Number(counted?.size ?? 0)) return newest;
  const leaves = await changeLeaves(db);
  if (newest && Number(newest.tree_size) === leaves.length) return newest;
  const root = rangeRoot(leaves);
  const head: ChangeLogHead = {
    log_id: CHANGE_LOG_ID,
    tree_size: leaves.length,
    root_hash: toBase64(root),
    timestamp: Date.now(),
  };
  const row: ChangeHeadRow = {
    tree_size: head.tree_size,
    root_hash: head.root_hash,
    timestamp: head.timestamp,
    jws: await signer.signHead(head),
    checkpoint: await signer.signCheckpoint({ origin: REGISTRY_CHANGES_ORIGIN, size: leaves.length, rootHash: root }),
  };
  // Two requests that both saw the log grow: the first row stays, the second reads it.
  await db
    .insertInto('registry_change_heads')
    .values(row)
    .onConflict((oc) => oc.column('tree_size').doNothing())
    .execute();
  return (
    (await db
      .selectFrom('registry_change_heads')
      .selectAll()
      .where('tree_size', '=', head.tree_size)
      .executeTakeFirst()) ?? row
  );
}

/** The cosignature lines collected for the head of `size`, by witness name. */
async function linesOf(db: Kysely<RegistryDatabase>, size: number): Promise<string[]> {
  const rows = await db
    .selectFrom('registry_change_cosignatures')
    .select('line')
    .where('tree_size', '=', size)
    .orderBy('witness')
    .execute();
  return rows.map((r) => r.line);
}

/**
 * The head readers are given: the newest cosigned by `quorum` distinct witnesses of `names`, else the
 * newest signed (whose checkpoint then lacks the quorum, and readers say so), with its cosignatures.
 */
export async function servedChangeHead(
  db: Kysely<RegistryDatabase>,
  signer: ChangeHeadSigner,
  policy: { readonly names: readonly string[]; readonly quorum: number },
): Promise<ServedChangeHead> {
  const newest = await signedChangeHead(db, signer);
  let row = newest;
  if (policy.quorum > 0 && policy.names.length > 0) {
    const cosigned = await db
      .selectFrom('registry_change_cosignatures')
      .select('tree_size')
      .where('witness', 'in', policy.names)
      .groupBy('tree_size')
      .having(sql<number>`count(distinct witness)`, '>=', policy.quorum)
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    const witnessed =
      cosigned &&
      (await db
        .selectFrom('registry_change_heads')
        .selectAll()
        .where('tree_size', '=', Number(cosigned.tree_size))
        .executeTakeFirst());
    if (witnessed) row = witnessed;
  }
  return served(row, await linesOf(db, Number(row.tree_size)));
}

/** Keeps a witness's cosignature line of a head (once: a second one of the same head is dropped). */
export async function saveChangeCosignature(
  db: Kysely<RegistryDatabase>,
  cosignature: { witness: string; size: number; line: string },
  at: Date,
): Promise<void> {
  await db
    .insertInto('registry_change_cosignatures')
    .values({
      tree_size: cosignature.size,
      witness: cosignature.witness,
      line: cosignature.line,
      received_at: at.toISOString(),
    })
    .onConflict((oc) => oc.columns(['tree_size', 'witness']).doNothing())
    .execute();
}

/** The largest head each witness cosigned, as stored (where the collector starts after a restart). */
export async function changeCosignedSizes(db: Kysely<RegistryDatabase>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('registry_change_cosignatures')
    .select(['witness', (e) => e.fn.max('tree_size').as('size')])
    .groupBy('witness')
    .execute();
  return new Map(rows.map((r) => [r.witness, Number(r.size)]));
}
