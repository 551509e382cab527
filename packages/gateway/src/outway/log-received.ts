import { formatTraceparent, GatewayRefusal, uuidv7 } from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { GroupCommitter } from '../log/group-commit.ts';
import type { RefusalRecorder } from '../log/refusal-recorder.ts';
import { JSON_UTF8, PROBLEM_JSON } from '../pipeline/media-types.ts';
import { inSpan } from '../pipeline/traced.ts';
import { receivedAbout } from '../profiles/hal/hal-received.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { StoredAccessRecord } from '../storage/access-record.ts';
import { USER_REFERENCE_HEADER } from './choose-grant.ts';
import type { OutwayEnv, VerifiedAnswer } from './context.ts';
import { buildOutwayRecords, type OutwayRecordContext } from './outway-records.ts';

export interface LogReceivedOptions {
  readonly log: GroupCommitter<LogWrite, void>;
  readonly refusals: RefusalRecorder;
  readonly organisationOin: string;
  readonly pseudonymise: (bsn: string) => string;
  readonly resource: Readonly<Record<string, string>>;
  readonly now: () => number;
}

/**
 * The last stage: the verified answer goes to the application only after the afnemer's side has it on
 * record, durably: an answer with data as one record per data subject (with the evidence), a refusal
 * by the provider as a refusal of ours (who asked, why it was refused). The body is the provider's,
 * byte for byte.
 */
export const logReceived = (options: LogReceivedOptions) =>
  async function logReceived(c: Context<OutwayEnv>): Promise<Response> {
    const grant = c.get('outwayGrant');
    const application = c.get('application');
    const answer = c.get('providerAnswer');
    if (!grant || !application)
      throw new GatewayRefusal('internal', 'De stappen van de outway liepen niet in volgorde.');
    const headers = answerHeaders(c, answer);
    if (answer.status !== 200) return passOnRefusal(c, options, answer);
    let personen: Record<string, unknown>[];
    let parsed: { personen?: unknown };
    try {
      parsed = JSON.parse(answer.body) as { personen?: unknown };
      personen = Array.isArray(parsed.personen) ? (parsed.personen as Record<string, unknown>[]) : [];
    } catch (cause) {
      throw new GatewayRefusal('providerUnverified', 'Het getekende antwoord is geen JSON.', { cause });
    }
    const records = buildOutwayRecords(personen, {
      ...exchangeContext(c, options, answer),
      // The BSNs asked (the provider checked them: it answered 200), read with the body's type in chooseGrant.
      requestedBsns: grant.requestedBsns ?? [],
      ...(grant.call ? { received: receivedAbout(grant.service, grant.call, parsed) } : {}),
    });
    await commitRecords(options.log, records);
    return c.body(answer.body, 200, {
      ...headers,
      'content-type': answer.evidence.response.headers['content-type'] ?? JSON_UTF8,
    });
  };

/** What every record of an exchange through the outway says of it: who asked, under what, the evidence. */
export function exchangeContext(
  c: Context<OutwayEnv>,
  options: Pick<LogReceivedOptions, 'pseudonymise' | 'resource' | 'now'>,
  answer: VerifiedAnswer,
): Omit<OutwayRecordContext, 'requestedBsns'> {
  const grant = c.get('outwayGrant');
  const application = c.get('application');
  if (!grant || !application) throw new GatewayRefusal('internal', 'De stappen van de outway liepen niet in volgorde.');
  return {
    grant,
    application,
    userReference: c.req.header(USER_REFERENCE_HEADER),
    trace: c.get('trace'),
    transactionId: c.get('transactionId'),
    endTime: options.now(),
    requestDigest: answer.requestDigest,
    providerSpanId: answer.providerSpanId,
    evidence: answer.evidence,
    directory: c.get('directory'),
    pseudonymise: options.pseudonymise,
    resource: options.resource,
  };
}

/** Commits the afnemer's records of an answer before any of it is passed on; else nothing is (503). */
export async function commitRecords(log: GroupCommitter<LogWrite, void>, records: readonly StoredAccessRecord[]) {
  await inSpan('log-commit', async (span) => {
    span.setAttribute('poortwachter.records', records.length);
    try {
      await log.submit({ accessRecords: records });
    } catch (cause) {
      throw new GatewayRefusal(
        'logWriteFailed',
        'Het logboek van de outway kon niet worden geschreven. Er is niets doorgegeven.',
        { cause },
      );
    }
  });
}

/**
 * The headers of every answer passed on: the provider's digest of its body, and the transaction with
 * our span (as `transactionHeaders`, given here so that the answer is sent from these plain headers).
 */
export function answerHeaders(c: Context<OutwayEnv>, answer: VerifiedAnswer): Record<string, string> {
  return {
    'content-digest': answer.evidence.response.headers['content-digest'] ?? '',
    ...transactionHeaders(c),
  };
}

/**
 * What every answer of the outway's exchange routes carries, refusals included: the transaction id and
 * our span. Each answer is built with them (not set afterwards on its `Headers`, which would make the
 * node server build a WHATWG `Headers` and `Response` per request instead of writing plain headers).
 */
export function transactionHeaders(c: Context<OutwayEnv>): Record<string, string> {
  const trace = c.get('trace');
  return trace
    ? {
        'fsc-transaction-id': c.get('transactionId'),
        traceparent: formatTraceparent(trace.traceId, trace.spanId),
      }
    : {};
}

/**
 * A refusal by the provider, verified: kept as a refusal of ours (who asked, why it was refused) and
 * passed on to the application as the provider wrote it.
 */
export async function passOnRefusal(
  c: Context<OutwayEnv>,
  options: Pick<LogReceivedOptions, 'refusals' | 'organisationOin' | 'now'>,
  answer: VerifiedAnswer,
): Promise<Response> {
  const grant = c.get('outwayGrant');
  const application = c.get('application');
  if (!grant || !application) throw new GatewayRefusal('internal', 'De stappen van de outway liepen niet in volgorde.');
  const problem = parseProblem(answer.body);
  await options.refusals.record({
    id: uuidv7(),
    at: options.now(),
    transaction_id: c.get('transactionId'),
    trace_id: c.get('trace').traceId,
    caller_oin: options.organisationOin,
    keyid: `application:${application.id}`,
    service_id: grant.service.id,
    processing_activity_id: grant.processingActivity,
    reason: 'providerRefused',
    status: answer.status,
    fsc_error_code: answer.fscErrorCode ?? 'ERROR_CODE_REQUEST_INVALID',
    detail: `${grant.provider.name} weigerde: ${problem.code ?? answer.status} ${problem.detail ?? ''}`.slice(0, 500),
  });
  return c.body(answer.body, answer.status as 400, {
    ...answerHeaders(c, answer),
    'content-type': answer.evidence.response.headers['content-type'] ?? PROBLEM_JSON,
    ...(answer.fscErrorCode ? { 'fsc-error-code': answer.fscErrorCode } : {}),
    ...(answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}),
  });
}

function parseProblem(body: string): { code?: string; detail?: string } {
  try {
    const problem = JSON.parse(body) as { code?: unknown; detail?: unknown };
    return {
      ...(typeof problem.code === 'string' ? { code: problem.code } : {}),
      ...(typeof problem.detail === 'string' ? { detail: problem.detail } : {}),
    };
  } catch {
    return {};
  }
}
