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
 * of `names`; undefined when none is. Found from the cosignatures, newest first (the primary key's
 * order): heads that no witness cosigned (a log without checkpoints, witnesses down) are never read.
 */
export async function newestWitnessedHead(
  db: Kysely<GatewayDatabase>,
  logId: string,
  count: WitnessCount,
  atLeast = 0,
): Promise<TreeHead | undefined> {
  if (count.quorum <= 0 || count.names.length === 0) return undefined;
  const cosigned = await db
    .selectFrom('merkle_cosignatures')
    .select('tree_size')
    .where('log_id', '=', logId)
    .where('tree_size', '>=', atLeast)
    .where('witness', 'in', count.names)
    .groupBy('tree_size')
    .having(sql<number>`count(distinct witness)`, '>=', count.quorum)
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!cosigned) return undefined;
  const head = await headOf(db, logId, { size: Number(cosigned.tree_size) });
  if (!head?.checkpoint) return undefined;
  const [withLines] = await withCosignatures(db, [head]);
  return withLines;
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

/**
 * The checkpoint of the newest head of `logId` (what the witnesses are asked to cosign); undefined when
 * that head has none (a key that is not Ed25519): an older one is never submitted instead.
 */
export async function newestCheckpoint(db: Kysely<GatewayDatabase>, logId: string) {
  const head = await headOf(db, logId, {});
  return head?.checkpoint ? { size: head.tree_size, note: head.checkpoint } : undefined;
}
