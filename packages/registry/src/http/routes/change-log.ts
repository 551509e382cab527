import {
  CHANGE_LOG_ID,
  consistencyProofOf,
  inclusionProofOf,
  invalidField,
  ProblemError,
  toBase64,
  witnessPolicy,
} from '@poortwachter/protocol';
import { type Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DirectoryPublisher } from '../../directory/publisher.ts';
import { servedChangeHead } from '../../repositories/change-heads.ts';
import { changeLeaves } from '../../repositories/changes.ts';
import { currentWitnessPolicy } from '../../repositories/witnesses.ts';
import type { RegistryDatabase } from '../../storage/database.ts';

const MAX_LEAVES = 1000;

/** A whole number from the query, within [min, max], or a 400 naming the parameter. */
function count(c: Context, name: string, min: number, max: number): number {
  const text = c.req.query(name);
  const value = text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max))
    throw invalidField(name, `${name} is een geheel getal van ${min} tot en met ${max}.`, 'range');
  return value;
}

/**
 * The registry's change log as a verifiable log (RFC 9162, the access log's hashing): each change is a
 * leaf (`changeLeafHash`), in serial order. `GET /head` is a tree head signed with the registry key
 * (a JWS, and beside it `checkpoint`: the same size and root as a C2SP checkpoint, origin
 * `poortwachter/registry/changes`, with the cosignatures of the directory's witnesses collected for it);
 * it is the newest head a quorum of those witnesses cosigned, else the newest. `GET /checkpoint` is that
 * checkpoint as a signed note. `/consistency`, `/inclusion` and `/leaves` let anyone check that history
 * was only ever appended to, and that each change (`GET /v1/changes`) is the leaf the log holds.
 *
 * @example
 * const { jws, checkpoint } = await (await fetch(`${registry}/v1/changes/log/head`)).json();
 */
export function changeLogRoutes(
  db: Kysely<RegistryDatabase>,
  publisher: Pick<DirectoryPublisher, 'signHead' | 'signCheckpoint'>,
) {
  const app = new Hono();
  const served = async () => {
    const { witnesses, quorum } = await currentWitnessPolicy(db);
    const policy = witnessPolicy({ witnesses, witness_quorum: quorum });
    return servedChangeHead(db, publisher, { names: policy.witnesses.map((k) => k.name), quorum: policy.quorum });
  };

  app.get('/head', async (c) => c.json(await served(), 200, { 'cache-control': 'no-cache' }));

  app.get('/checkpoint', async (c) =>
    c.body((await served()).checkpoint, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );

  app.get('/consistency', async (c) => {
    const leaves = await changeLeaves(db);
    const second = count(c, 'second', 1, leaves.length);
    const first = count(c, 'first', 1, second);
    const proof = consistencyProofOf(leaves, first, second).map(toBase64);
    return c.json({ log_id: CHANGE_LOG_ID, first, second, proof });
  });

  app.get('/inclusion', async (c) => {
    const leaves = await changeLeaves(db);
    const size = count(c, 'size', 1, leaves.length);
    const index = count(c, 'index', 0, size - 1);
    const proof = inclusionProofOf(leaves, index, size).map(toBase64);
    return c.json({ log_id: CHANGE_LOG_ID, index, size, leaf_hash: toBase64(leaves[index] as Uint8Array), proof });
  });

  app.get('/leaves', async (c) => {
    const rows = await db.selectFrom('registry_changes').select(['serial', 'leaf_hash']).orderBy('serial').execute();
    const start = c.req.query('start') === undefined ? 0 : count(c, 'start', 0, rows.length);
    const end = Math.min(rows.length, start + MAX_LEAVES);
    return c.json({
      log_id: CHANGE_LOG_ID,
      tree_size: rows.length,
      leaves: rows.slice(start, end).map((r, i) => {
        if (!r.leaf_hash) throw new ProblemError('serverError', `Change ${r.serial} has no leaf.`);
        return { index: start + i, serial: Number(r.serial), leaf_hash: r.leaf_hash };
      }),
    });
  });
  return app;
}
