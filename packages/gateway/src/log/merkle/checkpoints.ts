import { type DirectorySnapshot, withSignatures, witnessPolicy } from '@poortwachter/protocol';
import { type Kysely, sql } from 'kysely';
import type { GatewayDatabase } from '../../storage/tables.ts';
import { headOf, type TreeHead } from './merkle-store.ts';

/** Which witnesses count and how many must have cosigned (the directory's `witnesses`, `witness_quorum`). */
export interface WitnessCount {
  readonly names: readonly string[];
  readonly quorum: number;
}

/** The directory's witnesses whose cosignatures count, and its quorum (none listed: 0). */
export function witnessCountOf(snapshot: Pick<DirectorySnapshot, 'witnesses' | 'witness_quorum'>): WitnessCount {
  const policy = witnessPolicy(snapshot);
  return { names: policy.witnesses.map((k) => k.name), quorum: policy.quorum };
}

/** Keeps a witness's cosignature line of a head (once: a second one of the same head is dropped). */
export async function saveCosignature(
  db: Kysely<GatewayDatabase>,
  logId: string,
  cosignature: { witness: string; size: number; line: string },
  at: number,
): Promise<void> {
  await db
    .insertInto('merkle_cosignatures')
    .values({
      log_id: logId,
      tree_size: cosignature.size,
      witness: cosignature.witness,
      line: cosignature.line,
      received_at: at,
    })
    .onConflict((oc) => oc.columns(['log_id', 'tree_size', 'witness']).doNothing())
    .execute();
}

/** The largest head of `logId` each witness cosigned, as stored. */
export async function cosignedSizes(db: Kysely<GatewayDatabase>, logId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('merkle_cosignatures')
    .select(['witness', (e) => e.fn.max('tree_size').as('size')])
    .where('log_id', '=', logId)
    .groupBy('witness')
    .execute();
  return new Map(rows.map((r) => [r.witness, Number(r.size)]));
}

/** The heads with their checkpoints carrying every cosignature collected for them. */
export async function withCosignatures(db: Kysely<GatewayDatabase>, heads: readonly TreeHead[]): Promise<TreeHead[]> {
  const signed = heads.filter((h) => h.checkpoint);
  if (signed.length === 0) return [...heads];
  const rows = await db
    .selectFrom('merkle_cosignatures')
    .select(['log_id', 'tree_size', 'line'])
    .where((eb) => eb.or(signed.map((h) => eb.and([eb('log_id', '=', h.log_id), eb('tree_size', '=', h.tree_size)]))))
    .orderBy('witness')
    .execute();
  const lines = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.log_id}\n${Number(r.tree_size)}`;
    lines.set(key, [...(lines.get(key) ?? []), r.line]);
  }
  return heads.map((h) => {
    const own = lines.get(`${h.log_id}\n${h.tree_size}`);
    return h.checkpoint && own ? { ...h, checkpoint: withSignatures(h.checkpoint, own) } : h;
  });
}

/**
 * The newest head of `logId` (of at least `atLeast` leaves) cosigned by `quorum` distinct witnesses
 * of `names`; undefined when none is. The heads are scanned newest first: normally the newest or the
 * one before it has its quorum.
 */
export async function newestWitnessedHead(
  db: Kysely<GatewayDatabase>,
  logId: string,
  count: WitnessCount,
  atLeast = 0,
): Promise<TreeHead | undefined> {
  if (count.quorum <= 0 || count.names.length === 0) return undefined;
  const row = await db
    .selectFrom('merkle_heads as h')
    .select(['h.log_id', 'h.tree_size', 'h.root_hash', 'h.timestamp', 'h.jws', 'h.checkpoint'])
    .where('h.log_id', '=', logId)
    .where('h.tree_size', '>=', atLeast)
    .where('h.checkpoint', 'is not', null)
    .where(
      (eb) =>
        eb
          .selectFrom('merkle_cosignatures as c')
          .select(sql<number>`count(distinct c.witness)`.as('n'))
          .whereRef('c.log_id', '=', 'h.log_id')
          .whereRef('c.tree_size', '=', 'h.tree_size')
          .where('c.witness', 'in', count.names),
      '>=',
      count.quorum,
    )
    .orderBy('h.tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const [head] = await withCosignatures(db, [
    { ...row, tree_size: Number(row.tree_size), timestamp: Number(row.timestamp) },
  ]);
  return head;
}

/**
 * The head readers are given of `logId` (from `atLeast` leaves): the newest with the witnesses'
 * quorum, else the newest signed (whose checkpoint then lacks it), with its cosignatures.
 */
export async function servedHead(
  db: Kysely<GatewayDatabase>,
  logId: string,
  count: WitnessCount,
  atLeast = 0,
): Promise<TreeHead | undefined> {
  const witnessed = await newestWitnessedHead(db, logId, count, atLeast);
  if (witnessed) return witnessed;
  const newest = await headOf(db, logId, {});
  if (!newest || newest.tree_size < atLeast) return undefined;
  const [head] = await withCosignatures(db, [newest]);
  return head;
}

/** The newest head of `logId` that has a checkpoint (what the witnesses are asked to cosign). */
export async function newestCheckpoint(db: Kysely<GatewayDatabase>, logId: string) {
  const row = await db
    .selectFrom('merkle_heads')
    .select(['tree_size', 'checkpoint'])
    .where('log_id', '=', logId)
    .where('checkpoint', 'is not', null)
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.checkpoint ? { size: Number(row.tree_size), note: row.checkpoint } : undefined;
}
