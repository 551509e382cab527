import { GatewayRefusal } from '@poortwachter/protocol';
import { ACCESS_RECORD_COLUMNS, LOGGED_REFUSAL_FIELDS } from '@poortwachter/sdk';
import type { Hono, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { consistencyProof, headOf, inclusionProof, latestHeads } from '../merkle/merkle-store.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { citizenRecords } from '../reads/citizen-records.ts';
import { verifyCitizenToken } from '../reads/citizen-token.ts';
import { loggedRefusal } from '../storage/access-log-store.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { emptyBody, json, onlyParameters, type ReadRoutesOptions, requireAuditor } from './read-routes.ts';

export interface LogRoutesOptions {
  readonly db: Kysely<GatewayDatabase>;
  readonly pseudonymise: (bsn: string) => string;
  readonly now: () => number;
  readonly before: MiddlewareHandler<GatewayEnv>;
  readonly verifyRead: MiddlewareHandler<GatewayEnv>;
  readonly respond: ReadRoutesOptions['respond'];
}

/** A non-negative whole number from a query parameter, or a refusal naming it. */
function count(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new GatewayRefusal('invalidRequest', `${name} moet een geheel getal zijn.`, {
      invalidParams: [{ name, code: 'integer', reason: 'Geef een geheel getal van 0 of meer.' }],
    });
  }
  return Number(value);
}

const POSITION_COLUMNS = ['log_id', 'leaf_index'] as const;

const notFound = (what: string) => new GatewayRefusal('logEntryNotFound', what);
const MAX_ENTRIES = 1000;

/**
 * The verifiable log (RFC 9162 style): signed tree heads and consistency proofs for anyone (they hold
 * only hashes), inclusion proofs for a citizen's own records (token), and the entries for auditors
 * (signed requests) so they can recompute the tree.
 */
export function logRoutes(app: Hono<GatewayEnv>, options: LogRoutesOptions) {
  const { db } = options;
  const send = (c: Parameters<ReadRoutesOptions['respond']>[0], value: unknown) => json(c, options, 200, value);

  app.get('/log/v1/heads', options.before, async (c) => send(c, { heads: await latestHeads(db) }));

  app.get('/log/v1/:logId/heads/:size', options.before, async (c) => {
    const size = c.req.param('size');
    const head = await headOf(db, c.req.param('logId'), size === 'latest' ? {} : { size: count(size, 'size') });
    if (!head) throw notFound(`Er is geen ondertekende boomkop ${size} voor dit logboek.`);
    return send(c, head);
  });

  app.get('/log/v1/:logId/consistency', options.before, async (c) => {
    onlyParameters(c, ['first', 'second']);
    const logId = c.req.param('logId');
    const first = count(c.req.query('first'), 'first');
    const second = count(c.req.query('second'), 'second');
    const head = await headOf(db, logId, { size: second });
    if (!head) throw notFound(`Er is geen ondertekende boomkop met grootte ${second} voor dit logboek.`);
    if (first < 1 || first > second) {
      throw new GatewayRefusal('invalidRequest', 'first moet tussen 1 en second liggen.', {
        invalidParams: [{ name: 'first', code: 'range', reason: 'Kies 1 ≤ first ≤ second.' }],
      });
    }
    return send(c, { log_id: logId, first, second, proof: await consistencyProof(db, logId, first, second) });
  });

  // Auditors: the leaves with their records, to recompute the tree and find any record changed or missing.
  app.get('/log/v1/:logId/entries', options.before, emptyBody, options.verifyRead, requireAuditor, async (c) => {
    onlyParameters(c, ['start', 'end']);
    const logId = c.req.param('logId');
    const start = count(c.req.query('start'), 'start');
    const end = Math.min(count(c.req.query('end'), 'end'), start + MAX_ENTRIES);
    const rows = await db
      .selectFrom('merkle_leaves as l')
      .leftJoin('access_log as a', 'a.id', 'l.record_id')
      .leftJoin('refusals as r', 'r.id', 'l.record_id')
      .select(['l.leaf_index', 'l.record_id', 'l.leaf_hash', 'a.record'])
      .select([...ACCESS_RECORD_COLUMNS, ...POSITION_COLUMNS].map((c) => `a.${c} as a_${c}` as const))
      .select([...LOGGED_REFUSAL_FIELDS, ...POSITION_COLUMNS].map((c) => `r.${c} as r_${c}` as const))
      .where('l.log_id', '=', logId)
      .where('l.leaf_index', '>=', start)
      .where('l.leaf_index', '<', end)
      .orderBy('l.leaf_index')
      .execute();
    return send(c, {
      log_id: logId,
      start,
      end,
      entries: rows.map((row) => {
        const r = row as unknown as Record<string, unknown>;
        const pick = (prefix: string, columns: readonly string[]) =>
          Object.fromEntries(columns.map((name) => [name, r[`${prefix}${name}`] ?? null]));
        const base = { index: Number(row.leaf_index), id: row.record_id, leaf_hash: row.leaf_hash };
        // A refusal's columns are its record; an access record is served with the columns stored beside
        // it, so that an auditor checks those copies against the proven record.
        if (r.r_reason !== null && r.r_reason !== undefined) {
          const refusal = pick('r_', LOGGED_REFUSAL_FIELDS);
          return { ...base, refusal: loggedRefusal(refusal as never), columns: pick('r_', POSITION_COLUMNS) };
        }
        return {
          ...base,
          record: row.record === null ? null : (JSON.parse(row.record) as unknown),
          columns: pick('a_', [...ACCESS_RECORD_COLUMNS, ...POSITION_COLUMNS]),
        };
      }),
    });
  });

  // A citizen: the proof that one of their own records is in the log, with the record as stored.
  app.get('/inzage/v1/verwerkingen/:id/bewijs', options.before, async (c) => {
    const citizen = await verifyCitizenToken(c.req.header('authorization'), c.get('directory'), options.now());
    onlyParameters(c, ['size']);
    const id = c.req.param('id');
    const row = await citizenRecords(db, c.get('directory'), options.pseudonymise(citizen.bsn), options.now())
      .select(['id', 'record'])
      .where('id', '=', id)
      .executeTakeFirst();
    // Another citizen's record, or one under a processing activity that is confidential now, is as
    // unknown as one that does not exist.
    if (!row) throw notFound('U heeft geen verwerking met dit nummer.');
    const leaf = await db
      .selectFrom('merkle_leaves')
      .select(['log_id', 'leaf_index'])
      .where('record_id', '=', id)
      .executeTakeFirst();
    if (!leaf) throw notFound('Deze verwerking staat niet in het controleerbare logboek.');
    const index = Number(leaf.leaf_index);
    const wanted = c.req.query('size');
    const head = await headOf(db, leaf.log_id, wanted === undefined ? {} : { size: count(wanted, 'size') });
    if (!head || head.tree_size <= index) {
      c.header('retry-after', '1');
      throw new GatewayRefusal(
        'treeHeadPending',
        'Het logboek heeft nog geen boomkop ondertekend met deze verwerking. Probeer het over een seconde opnieuw.',
      );
    }
    return send(c, {
      id,
      record: JSON.parse(row.record) as unknown,
      log_id: leaf.log_id,
      leaf_index: index,
      head,
      proof: await inclusionProof(db, leaf.log_id, index, head.tree_size),
    });
  });
}
