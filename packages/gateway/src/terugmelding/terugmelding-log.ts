import { contentDigest, GatewayRefusal, newSpanId, uuidv7 } from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { GroupCommitter } from '../log/group-commit.ts';
import { subjectAttributes } from '../pipeline/build-records.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { JSON_UTF8 } from '../pipeline/media-types.ts';
import { send } from '../pipeline/sign-response.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { AccessRecord, StoredAccessRecord } from '../storage/access-record.ts';

/** What the terugmelding routes write to the log with. */
export interface TerugmeldingLog {
  /** Group-committed writer of access records. */
  readonly log: GroupCommitter<LogWrite, void>;
  /** Keyed pseudonym of a BSN (HMAC with the current log key). */
  readonly pseudonymise: (bsn: string) => string;
  /** The records' `resource` attributes (service name and instance). */
  readonly resource: Readonly<Record<string, string>>;
  readonly now: () => number;
}

/** One status change of a terugmelding, as its access record says it. */
export interface StatusChangeRecord {
  readonly terugmeldingId: string;
  readonly status: string;
  readonly serviceId: string;
  /** The BSN it is about. */
  readonly bsn: string;
  /** Who acted: the bronhouder (handling, and a citizen's melding), or the afnemer for its own. */
  readonly processorOin: string;
  /** The verwerkingsactiviteit version it was done under. */
  readonly activity: { readonly id: string; readonly version: number };
  /** The catalogue paths of the melding's urns. */
  readonly paths: readonly string[];
  /** `sha-256=:…:` of what the request was: the signature base, or the citizen's bearer token. */
  readonly requestDigest: string;
}

/** The access record of one status change: `poortwachter.search_type` `Terugmelding`, the id and status as `poortwachter.terugmelding`. */
export function statusChangeRecord(
  c: Context<GatewayEnv>,
  change: StatusChangeRecord,
  responseDigest: string,
  options: TerugmeldingLog,
): StoredAccessRecord {
  const trace = c.get('trace');
  const record: AccessRecord = {
    trace_id: trace.traceId,
    span_id: newSpanId(),
    parent_span_id: trace.parentSpanId ?? trace.spanId,
    name: `${change.serviceId} Terugmelding`,
    status: 'Ok',
    start_time: trace.startTime,
    end_time: options.now(),
    resource: { attributes: options.resource },
    attributes: {
      'dpl.core.processing_activity_id': change.activity.id,
      ...subjectAttributes({ id: change.bsn, type: 'BSN' }, options.pseudonymise),
      'dpl.core.foreign_operation.processor': change.processorOin,
      'poortwachter.processing_activity_version': change.activity.version,
      'poortwachter.service_id': change.serviceId,
      'poortwachter.search_type': 'Terugmelding',
      'poortwachter.released_fields': [...new Set(change.paths)].sort(),
      'poortwachter.fsc_transaction_id': c.get('transactionId'),
      'poortwachter.request_digest': change.requestDigest,
      'poortwachter.response_digest': responseDigest,
      'poortwachter.terugmelding': { id: change.terugmeldingId, status: change.status },
    },
  };
  return { id: uuidv7(trace.startTime), record };
}

/**
 * Commits the access record of a status change, and only then stores the change and answers: a log
 * that cannot be written stores nothing (500 `logWriteFailed`), so that every stored status has its
 * record. `store` returns false when the change could not be made after all (another changed the
 * status meanwhile: 409); its record then says an attempt that did not happen, never the reverse.
 */
export async function logThenStore(
  c: Context<GatewayEnv>,
  options: TerugmeldingLog,
  change: StatusChangeRecord,
  answer: { readonly status: number; readonly body: unknown },
  store: () => Promise<boolean>,
): Promise<Response> {
  const body = JSON.stringify(answer.body);
  const digest = await contentDigest(body);
  const record = statusChangeRecord(c, change, digest, options);
  try {
    await options.log.submit({ accessRecords: [record] });
  } catch (cause) {
    throw new GatewayRefusal('logWriteFailed', 'Het logboek kon niet worden geschreven. Er is niets vastgelegd.', {
      cause,
    });
  }
  if (!(await store())) {
    throw new GatewayRefusal(
      'terugmeldingConflict',
      'De status van deze melding is net door een ander veranderd. Bekijk de melding opnieuw.',
    );
  }
  return send(c, answer.status, body, { 'content-type': JSON_UTF8, 'content-digest': digest });
}
