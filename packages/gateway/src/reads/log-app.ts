import { GatewayRefusal } from '@poortwachter/protocol';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { servedHead, withCosignatures, witnessCountOf } from '../log/merkle/checkpoints.ts';
import { consistencyProof, headOf, latestHeads } from '../log/merkle/merkle-store.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { addressQuota } from '../pipeline/quota-stages.ts';
import { send } from '../pipeline/sign-response.ts';
import { logEntries } from '../repositories/access-log-reads.ts';
import { sendTile } from './log-tiles.ts';
import { count, onlyParameters, requireAuditor, sendJson } from './read-params.ts';

const MAX_ENTRIES = 1000;
const notFound = (what: string) => new GatewayRefusal('logEntryNotFound', what);

/**
 * The verifiable log (RFC 9162 style): signed tree heads (each with its C2SP checkpoint and the
 * witnesses' cosignatures), the cosigned checkpoint, hash tiles (C2SP tlog-tiles) and consistency
 * proofs for anyone (they hold only hashes), and the entries for auditors (signed requests), so they
 * can recompute the tree.
 */
export function logApp(stages: {
  readonly base: MiddlewareHandler<GatewayEnv>;
  readonly signedGet: MiddlewareHandler<GatewayEnv>;
}) {
  const app = new Hono<GatewayEnv>();
  app.use(stages.base);

  // The heads and proofs are for anyone: each costs the client address one request of its quota.
  app.get('/heads', addressQuota, async (c) => {
    onlyParameters(c, []);
    const { db } = c.var.reads;
    return sendJson(c, { heads: await withCosignatures(db, await latestHeads(db)) });
  });

  // The newest checkpoint with the witnesses' quorum, else the newest signed one (C2SP tlog-tiles' checkpoint).
  const sendCheckpoint = async (c: Context<GatewayEnv>, logId: string) => {
    onlyParameters(c, []);
    const head = await servedHead(c.var.reads.db, logId, witnessCountOf(c.var.directory.snapshot));
    if (!head?.checkpoint) throw notFound('Dit logboek heeft nog geen ondertekend checkpoint.');
    return send(c, 200, head.checkpoint, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
  };
  app.get('/checkpoint', addressQuota, (c) => sendCheckpoint(c, c.var.reads.instanceId));
  app.get('/:logId/checkpoint', addressQuota, (c) => sendCheckpoint(c, c.req.param('logId')));
  app.get('/:logId/tile/:rest{.+}', addressQuota, (c) => {
    onlyParameters(c, []);
    return sendTile(c, c.req.param('logId'), `tile/${c.req.param('rest')}`);
  });

  app.get('/:logId/heads/:size', addressQuota, async (c) => {
    onlyParameters(c, []);
    const size = c.req.param('size');
    const head = await headOf(
      c.var.reads.db,
      c.req.param('logId'),
      size === 'latest' ? {} : { size: count(size, 'size') },
    );
    if (!head) throw notFound(`Er is geen ondertekende boomkop ${size} voor dit logboek.`);
    const [withCheckpoint] = await withCosignatures(c.var.reads.db, [head]);
    return sendJson(c, withCheckpoint);
  });

  app.get('/:logId/consistency', addressQuota, async (c) => {
    const { db } = c.var.reads;
    onlyParameters(c, ['first', 'second']);
    const logId = c.req.param('logId');
    const first = count(c.req.query('first'), 'first', 1);
    const second = count(c.req.query('second'), 'second', 1);
    const head = await headOf(db, logId, { size: second });
    if (!head) {
      throw new GatewayRefusal(
        'logEntryNotFound',
        `Er is geen ondertekende boomkop met grootte ${second} voor dit logboek.`,
        {
          invalidParams: [
            { name: 'second', code: 'notFound', reason: 'Kies de grootte van een ondertekende boomkop.' },
          ],
        },
      );
    }
    if (first < 1 || first > second) {
      throw new GatewayRefusal('invalidRequest', 'first mag niet groter zijn dan second.', {
        invalidParams: [{ name: 'first', code: 'range', reason: 'Kies een first die niet groter is dan second.' }],
      });
    }
    return sendJson(c, { log_id: logId, first, second, proof: await consistencyProof(db, logId, first, second) });
  });

  // Auditors: the leaves with their records, to recompute the tree and find any record changed or missing.
  app.get('/:logId/entries', stages.signedGet, requireAuditor, async (c) => {
    onlyParameters(c, ['start', 'end']);
    const logId = c.req.param('logId');
    const start = count(c.req.query('start'), 'start');
    const end = Math.min(count(c.req.query('end'), 'end'), start + MAX_ENTRIES);
    return sendJson(c, { log_id: logId, start, end, entries: await logEntries(c.var.reads.db, logId, start, end) });
  });
  return app;
}
