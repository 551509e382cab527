import { GatewayRefusal, type InvalidParam, isBsn, ProblemError } from '@poortwachter/protocol';
import { Hono, type MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../pipeline/context.ts';
import { logboekPage } from '../repositories/access-log-reads.ts';
import { decodeCursor } from '../repositories/cursor.ts';
import { periodDetail, periodParams } from './period.ts';
import { callerOf, parseJsonBody, parseLimit, sendJson } from './read-params.ts';

/**
 * The Logboek Dataverwerkingen read API (`POST /processing-activities`, signed): the log's owner (the
 * bronhouder of an inway, the afnemer of an outway) reads all of it, any other organisation only the
 * records where it is the other party (`dpl.core.foreign_operation.processor`).
 */
export function logboekApp(stages: {
  readonly base: MiddlewareHandler<GatewayEnv>;
  readonly signedPost: MiddlewareHandler<GatewayEnv>;
}) {
  const app = new Hono<GatewayEnv>();
  app.use(stages.base);
  app.post('/', stages.signedPost, async (c) => {
    const { pseudonymsOf, serviceId, logbookId, db } = c.var.reads;
    const caller = callerOf(c);
    const filter = parseReadFilter(c.get('body'));
    const directory = c.var.directory;
    const provider = c.var.reads.ownerOin ?? directory.services.get(serviceId)?.providerOin;
    if (c.var.reads.ownerOnly && caller.organisation.oin !== provider) {
      throw new ProblemError('unauthorized', 'Alleen de organisatie van dit logboek mag het lezen.');
    }
    const { bsn, ...rest } = filter;
    const page = await logboekPage(db, {
      ...rest,
      ...(bsn ? { subjects: pseudonymsOf(bsn) } : {}),
      ...(caller.organisation.oin === provider ? {} : { foreignProcessor: caller.organisation.oin }),
    });
    return sendJson(c, {
      metadata: {
        logbookId,
        organizationName: (provider && directory.organisations.get(provider)?.name) ?? 'unknown',
      },
      processingActivities: page.records,
      next: page.next,
    });
  });
  return app;
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
  // The one period rule: each a date or date-time that exists, an endTime date including that day,
  // and the end after the start.
  const period = periodParams(text('startTime'), text('endTime'), { from: 'startTime', to: 'endTime' });
  problems.push(...period.problems);
  const bsn = text('dpl.core.data_subject_id');
  if (bsn !== undefined && !isBsn(bsn)) {
    problems.push({
      name: 'dpl.core.data_subject_id',
      code: 'bsn',
      reason: 'Geef een BSN, de gateway maakt er het pseudoniem van.',
    });
  }
  const type = text('dpl.core.data_subject_id_type');
  if (type !== undefined && type !== 'BSN') {
    problems.push({ name: 'dpl.core.data_subject_id_type', code: 'enum', reason: 'Alleen BSN.' });
  }
  const cursor = text('cursor');
  const filter = {
    traceId: text('traceId', /^[0-9a-f]{32}$/),
    startTime: period.from,
    endTime: period.to,
    activity: text('dpl.core.processing_activity_id'),
    bsn: bsn !== undefined && isBsn(bsn) ? bsn : undefined,
    limit: parseLimit(body.limit as number | undefined, 'limit', 100, 1000),
    cursor: cursor ? decodeCursor(cursor) : undefined,
  };
  if (
    problems.length === 0 &&
    [filter.traceId, filter.startTime, filter.endTime, filter.activity, filter.bsn].every((f) => f === undefined)
  ) {
    problems.push({ name: 'body', code: 'required', reason: 'Geef minstens een filter.' });
  }
  if (problems.length > 0) {
    const detail = problems.some((p) => p.code === 'required')
      ? 'Geef minstens een filter, traceId, startTime, endTime, de verwerkingsactiviteit of de betrokkene (dpl.core).'
      : problems.some((p) => p.code === 'date' || p.code === 'range')
        ? periodDetail(problems)
        : 'Het filter is niet geldig.';
    throw new GatewayRefusal('invalidRequest', detail, { invalidParams: problems });
  }
  return filter;
}
