import { GatewayRefusal, uuidv7 } from '@poortwachter/protocol';
import { computeCoverage, type ReportProgress } from '@poortwachter/sdk';
import { Hono, type MiddlewareHandler } from 'hono';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { latestHeads } from '../log/merkle/merkle-store.ts';
import type { GatewayEnv, ReadStores } from '../pipeline/context.ts';
import { databaseCoverageData } from '../repositories/coverage-data.ts';
import { createCoverageJob, findCoverageJob, updateCoverageJob } from '../repositories/coverage-jobs.ts';
import { parsePeriod } from './period.ts';
import { callerOf, parseJsonBody, sendJson } from './read-params.ts';

/** Progress is written at most this often (and always at the end). */
const PROGRESS_EVERY_MS = 1000;

/**
 * The auditor's coverage report. It can scan millions of records, so it is a job: `POST /coverage`
 * starts it (202 with its location), `GET /coverage/:id` polls it. Jobs live in the database, so any
 * instance on it answers the poll; another auditor's job is as unknown as one that never was.
 */
export function auditApp(stages: {
  readonly base: MiddlewareHandler<GatewayEnv>;
  readonly signedPost: MiddlewareHandler<GatewayEnv>;
  readonly signedGet: MiddlewareHandler<GatewayEnv>;
  readonly requireAuditor: MiddlewareHandler<GatewayEnv>;
}) {
  const app = new Hono<GatewayEnv>();
  app.use(stages.base);

  app.post('/coverage', stages.signedPost, stages.requireAuditor, async (c) => {
    const period = parseCoveragePeriod(c.get('body'));
    const stores = c.var.reads;
    const id = uuidv7();
    const progress: ReportProgress = { done: 0, total: 1, step: 'starting' };
    await createCoverageJob(stores.db, {
      id,
      ownerOin: callerOf(c).organisation.oin,
      instanceId: stores.instanceId,
      at: stores.now(),
      progress,
    });
    void runCoverageJob(stores, c.var.directory, id, period);
    c.header('location', `/audit/v1/coverage/${id}`);
    return sendJson(c, { id, status: 'running', progress }, 202);
  });

  app.get('/coverage/:id', stages.signedGet, stages.requireAuditor, async (c) => {
    const { db, now } = c.var.reads;
    const job = await findCoverageJob(db, c.req.param('id'), callerOf(c).organisation.oin, now());
    if (!job) {
      throw new GatewayRefusal('reportNotFound', 'Dit rapport bestaat niet (rapporten worden 15 minuten bewaard).');
    }
    return sendJson(c, job);
  });
  return app;
}

/**
 * Runs one report on the newest signed head of every log in the database (signed just before): the
 * report names those heads and counts exactly what they hold, so an auditor can recompute it from the
 * proven entries. Progress, report and error go to the job's row.
 */
async function runCoverageJob(
  stores: ReadStores,
  directory: DirectoryIndex,
  id: string,
  period: { from: number; to: number },
): Promise<void> {
  const { db, now } = stores;
  let written = 0;
  let writing: Promise<void> = Promise.resolve();
  const update = (job: Parameters<typeof updateCoverageJob>[3]) => {
    writing = writing.then(() => updateCoverageJob(db, id, now(), job)).catch(() => undefined);
    return writing;
  };
  try {
    await stores.signHeads();
    const heads = await latestHeads(db);
    const report = await computeCoverage(
      databaseCoverageData(db, { serviceId: stores.serviceId, ...period, heads }),
      directory.snapshot,
      await stores.history.changes(),
      {
        serviceId: stores.serviceId,
        ...period,
        now: now(),
        heads,
        historySource: stores.history.source,
        onProgress: (progress) => {
          if (now() - written < PROGRESS_EVERY_MS) return;
          written = now();
          void update({ status: 'running', progress });
        },
      },
    );
    await update({ status: 'done', report });
  } catch (error) {
    console.error('gateway: coverage report failed', error);
    await update({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
}

function parseCoveragePeriod(bytes: Uint8Array) {
  const body = parseJsonBody(bytes) as { from?: unknown; to?: unknown };
  const unknown = Object.keys(body).filter((k) => k !== 'from' && k !== 'to');
  if (unknown.length > 0 || typeof body.from !== 'string' || typeof body.to !== 'string') {
    throw new GatewayRefusal(
      'invalidRequest',
      'Geef de periode als from en to, bijvoorbeeld 2026-11-01 en 2026-11-30.',
      {
        invalidParams: [
          ...(['from', 'to'] as const)
            .filter((k) => typeof body[k] !== 'string')
            .map((name) => ({ name, code: 'required', reason: 'Geef een datum.' })),
          ...unknown.map((name) => ({ name, code: 'unknownParam', reason: 'Dit veld bestaat niet.' })),
        ],
      },
    );
  }
  return parsePeriod(body.from, body.to);
}
