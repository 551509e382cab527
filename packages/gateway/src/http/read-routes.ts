import type { InvalidParam } from '@poortwachter/protocol';
import { GatewayRefusal } from '@poortwachter/protocol';
import type { RegistryHistory } from '@poortwachter/sdk';
import { isBsn, uuidv7 } from '@poortwachter/sdk';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Kysely } from 'kysely';
import type { GatewayEnv } from '../pipeline/context.ts';
import { citizenTimeline } from '../reads/citizen-timeline.ts';
import { verifyCitizenToken } from '../reads/citizen-token.ts';
import { type CoverageProgress, type CoverageReport, gatewayCoverage } from '../reads/coverage.ts';
import { decodeCursor, newestFirstPage } from '../reads/cursor.ts';
import { parsePeriod } from '../reads/period.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { JSON_UTF8 } from './media-types.ts';

export interface ReadRoutesOptions {
  readonly db: Kysely<GatewayDatabase>;
  readonly serviceId: string;
  readonly history: RegistryHistory;
  readonly pseudonymise: (bsn: string) => string;
  readonly now: () => number;
  /** Signs a head over this instance's log now, so that a report covers what is committed (optional). */
  readonly signHeads?: () => Promise<unknown>;
  /** The name of this log in the Logboek read API's metadata. */
  readonly logbookId: string;
  /** Middlewares of the pipeline, shared with the query route. */
  readonly before: MiddlewareHandler<GatewayEnv>;
  readonly readBody: MiddlewareHandler<GatewayEnv>;
  readonly verifyRead: MiddlewareHandler<GatewayEnv>;
  /** Signs and sends a JSON answer. */
  readonly respond: (c: Context<GatewayEnv>, status: number, body: string, contentType: string) => Promise<Response>;
}

/** Signs and sends a JSON answer. */
export const json = (
  c: Context<GatewayEnv>,
  options: Pick<ReadRoutesOptions, 'respond'>,
  status: number,
  value: unknown,
) => options.respond(c, status, JSON.stringify(value), JSON_UTF8);

/** Refuses query parameters the route does not know, naming each (a citizen cannot ask by BSN, say). */
export function onlyParameters(c: Context<GatewayEnv>, known: readonly string[]) {
  const unknown = Object.keys(c.req.queries()).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new GatewayRefusal('invalidRequest', `Onbekende parameter(s) ${unknown.join(', ')}.`, {
      invalidParams: unknown.map((name) => ({ name, code: 'unknownParam', reason: 'Deze parameter bestaat niet.' })),
    });
  }
}

export function parseLimit(value: string | number | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new GatewayRefusal('invalidRequest', `${name} moet een geheel getal van 1 tot en met ${max} zijn.`, {
      invalidParams: [{ name, code: 'integer', reason: `Geef een getal van 1 tot en met ${max}.` }],
    });
  }
  return n;
}

/** Lets only organisations with the role `auditor` through (after the signature is verified). */
export const requireAuditor = createMiddleware<GatewayEnv>(async (c, next) => {
  const organisation = c.get('caller')?.organisation;
  if (!organisation?.roles.includes('auditor')) {
    throw new GatewayRefusal('notAuditor', 'Alleen een organisatie met de rol auditor mag dit vragen.');
  }
  await next();
});

/** An empty body for signed GETs (the signature still covers its Content-Digest). */
export const emptyBody = createMiddleware<GatewayEnv>(async (c, next) => {
  c.set('body', new Uint8Array(0));
  await next();
});

interface ReportJob {
  readonly owner: string;
  readonly createdAt: number;
  progress: CoverageProgress;
  report?: CoverageReport;
  error?: string;
}
const JOB_TTL_MS = 15 * 60_000;

/**
 * The readers of the log: the citizen's inzage (token from a trusted identity provider), the
 * organisation's Logboek read API and the auditor's coverage report (both signed requests).
 */
export function readRoutes(app: Hono<GatewayEnv>, options: ReadRoutesOptions) {
  const { db, serviceId, now } = options;

  // The citizen: GET /inzage/v1/verwerkingen?van=&tot=&limit=&cursor=, newest first.
  app.get('/inzage/v1/verwerkingen', options.before, async (c) => {
    const citizen = await verifyCitizenToken(c.req.header('authorization'), c.get('directory'), now());
    onlyParameters(c, ['van', 'tot', 'limit', 'cursor']);
    const period = parsePeriod(c.req.query('van'), c.req.query('tot'), { from: 'van', to: 'tot' });
    const cursor = c.req.query('cursor');
    const page = await citizenTimeline(db, c.get('directory'), serviceId, {
      subject: options.pseudonymise(citizen.bsn),
      from: period.from,
      to: period.to,
      limit: parseLimit(c.req.query('limit'), 'limit', 20, 100),
      ...(cursor ? { after: decodeCursor(cursor) } : {}),
      now: now(),
    });
    return json(c, options, 200, page);
  });

  // The organisation: the Logboek Dataverwerkingen read API, its own records only.
  app.post('/processing-activities', options.before, options.readBody, options.verifyRead, async (c) => {
    const caller = c.get('caller');
    if (!caller) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const filter = parseReadFilter(c.get('body'));
    const directory = c.get('directory');
    const provider = directory.services.get(serviceId)?.providerOin;
    let select = db.selectFrom('access_log').select(['id', 'start_time', 'record']);
    // The bronhouder reads its whole log; an afnemer only the records of its own accesses.
    if (caller.organisation.oin !== provider) select = select.where('foreign_processor', '=', caller.organisation.oin);
    if (filter.traceId) select = select.where('trace_id', '=', filter.traceId);
    if (filter.startTime !== undefined) select = select.where('start_time', '>=', filter.startTime);
    if (filter.endTime !== undefined) select = select.where('start_time', '<', filter.endTime);
    if (filter.activity) select = select.where('processing_activity_id', '=', filter.activity);
    if (filter.bsn) select = select.where('data_subject_id', '=', options.pseudonymise(filter.bsn));
    const { rows: page, next } = await newestFirstPage(select, filter.cursor, filter.limit);
    return json(c, options, 200, {
      metadata: {
        logbookId: options.logbookId,
        organizationName: (provider && directory.organisations.get(provider)?.name) ?? 'unknown',
      },
      processingActivities: page.map((r) => ({ id: r.id, ...(JSON.parse(r.record) as object) })),
      next,
    });
  });

  // The auditor: a coverage report is a job (it can scan millions of records): start, then poll.
  const jobs = new Map<string, ReportJob>();
  app.post('/audit/v1/coverage', options.before, options.readBody, options.verifyRead, requireAuditor, async (c) => {
    const body = parseJsonBody(c.get('body')) as { from?: unknown; to?: unknown };
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
    const period = parsePeriod(body.from, body.to);
    for (const [id, job] of jobs) if (now() - job.createdAt > JOB_TTL_MS) jobs.delete(id);
    const id = uuidv7();
    const job: ReportJob = {
      owner: c.get('caller')?.organisation.oin ?? '',
      createdAt: now(),
      progress: { done: 0, total: 1, step: 'starting' },
    };
    jobs.set(id, job);
    gatewayCoverage(db, c.get('directory'), options.history, {
      serviceId,
      ...period,
      now: now(),
      ...(options.signHeads ? { signHeads: options.signHeads } : {}),
      onProgress: (p) => {
        job.progress = p;
      },
    }).then(
      (report) => {
        job.report = report;
        job.progress = { done: job.progress.total, total: job.progress.total, step: 'done' };
      },
      (error: unknown) => {
        console.error('gateway: coverage report failed', error);
        job.error = error instanceof Error ? error.message : String(error);
      },
    );
    c.header('location', `/audit/v1/coverage/${id}`);
    return json(c, options, 202, { id, status: 'running', progress: job.progress });
  });
  app.get('/audit/v1/coverage/:id', options.before, emptyBody, options.verifyRead, requireAuditor, async (c) => {
    const job = jobs.get(c.req.param('id'));
    // Another auditor's job is as unknown as a job that never was.
    if (!job || job.owner !== c.get('caller')?.organisation.oin) {
      throw new GatewayRefusal('reportNotFound', 'Dit rapport bestaat niet (rapporten worden 15 minuten bewaard).');
    }
    if (job.error) return json(c, options, 200, { status: 'failed', error: job.error });
    if (!job.report) return json(c, options, 200, { status: 'running', progress: job.progress });
    return json(c, options, 200, { status: 'done', report: job.report });
  });
}

function parseJsonBody(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new GatewayRefusal('invalidRequest', 'De body moet een JSON object zijn.', {
    invalidParams: [{ name: 'body', code: 'json', reason: 'Stuur een JSON-object.' }],
  });
}

const READ_FILTERS = [
  'traceId',
  'startTime',
  'endTime',
  'dpl.core.processing_activity_id',
  'dpl.core.data_subject_id',
  'dpl.core.data_subject_id_type',
  'limit',
  'cursor',
];

/** The Logboek read API's filters; at least one of them (not counting limit and cursor). */
function parseReadFilter(bytes: Uint8Array) {
  const body = parseJsonBody(bytes);
  const problems: InvalidParam[] = Object.keys(body)
    .filter((k) => !READ_FILTERS.includes(k))
    .map((name) => ({ name, code: 'unknownParam', reason: 'Dit filter bestaat niet.' }));
  const text = (name: string, pattern?: RegExp) => {
    const v = body[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || (pattern && !pattern.test(v))) {
      problems.push({ name, code: 'pattern', reason: 'Waarde heeft niet de juiste vorm.' });
      return undefined;
    }
    return v;
  };
  const time = (name: string) => {
    const v = text(name);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) problems.push({ name, code: 'date', reason: 'Geef een datum en tijd (ISO 8601).' });
    return ms;
  };
  const bsn = text('dpl.core.data_subject_id');
  if (bsn !== undefined && !isBsn(bsn)) {
    problems.push({
      name: 'dpl.core.data_subject_id',
      code: 'bsn',
      reason: 'Geef een BSN; de gateway maakt er het pseudoniem van.',
    });
  }
  const type = text('dpl.core.data_subject_id_type');
  if (type !== undefined && type !== 'BSN') {
    problems.push({ name: 'dpl.core.data_subject_id_type', code: 'enum', reason: 'Alleen BSN.' });
  }
  const cursor = text('cursor');
  const filter = {
    traceId: text('traceId', /^[0-9a-f]{32}$/),
    startTime: time('startTime'),
    endTime: time('endTime'),
    activity: text('dpl.core.processing_activity_id'),
    bsn: bsn !== undefined && isBsn(bsn) ? bsn : undefined,
    limit: parseLimit(body.limit as number | undefined, 'limit', 100, 1000),
    cursor: cursor ? decodeCursor(cursor) : undefined,
  };
  if (
    problems.length === 0 &&
    [filter.traceId, filter.startTime, filter.endTime, filter.activity, filter.bsn].every((f) => f === undefined)
  ) {
    problems.push({
      name: 'body',
      code: 'required',
      reason:
        'Geef minstens één filter: traceId, startTime, endTime, dpl.core.processing_activity_id of dpl.core.data_subject_id.',
    });
  }
  if (problems.length > 0)
    throw new GatewayRefusal('invalidRequest', 'Het filter is niet geldig.', { invalidParams: problems });
  return filter;
}
