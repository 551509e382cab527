import { newSpanId, uuidv7 } from '@poortwachter/protocol';
import type { StoredAccessRecord } from '../storage/access-record.ts';
import type { Betrokkene, Caller, Grant, ReleasedPerson, RequestTrace, Subject } from './context.ts';

/**
 * A record's subject attributes, the one rule for inways and outways: a BSN's pseudonym is what the
 * citizen's timeline looks for; another register's identifier is pseudonymised with its type, so that
 * it can never meet a BSN's; no subject, no attributes.
 */
export function subjectAttributes(subject: Subject | undefined, pseudonymise: (id: string) => string) {
  if (subject === undefined) return {};
  return {
    'dpl.core.data_subject_id': pseudonymise(subject.type === 'BSN' ? subject.id : `${subject.type}:${subject.id}`),
    'dpl.core.data_subject_id_type': subject.type,
  };
}

/**
 * Who a record names: the organisation responsible (`dpl.core.foreign_operation.processor`), the
 * delegate that asked on its behalf, and what identifies the request (`poortwachter.request_digest`).
 */
export interface RecordActor {
  readonly processorOin: string;
  readonly delegateOin?: string;
  readonly requestDigest: string;
}

/**
 * The record's actor, the one rule: an afnemer's signed call names the caller, or the gemeente a
 * delegate asked for (its activity, its contract), and the signature base's digest; a citizen's read of
 * their own data (`betrokkene`) names the bronhouder, which reads under its own inzage activity, and the
 * digest of the citizen's token.
 */
export function recordActor(
  grant: Grant,
  caller: Caller | undefined,
  betrokkene: Betrokkene | undefined,
): RecordActor | undefined {
  if (caller) {
    const delegator = grant.autorisatie.delegatorOin;
    return {
      processorOin: delegator ?? caller.organisation.oin,
      ...(delegator ? { delegateOin: caller.organisation.oin } : {}),
      requestDigest: caller.requestDigest,
    };
  }
  if (betrokkene) return { processorOin: grant.service.providerOin, requestDigest: betrokkene.requestDigest };
  return undefined;
}

export interface RecordContext {
  readonly grant: Grant;
  readonly actor: RecordActor;
  readonly trace: RequestTrace;
  /** The span that called the source (its `traceparent`), so the source's log and ours link up. */
  readonly sourceSpanId: string | undefined;
  readonly transactionId: string;
  readonly endTime: number;
  readonly responseDigest: string;
  readonly pseudonymise: (bsn: string) => string;
  readonly resource: Readonly<Record<string, string>>;
}

/**
 * One Logboek Dataverwerkingen record per data subject, each a child span of the request's span.
 * Two persons with the same BSN are one subject. A search that found nobody still gets one record,
 * without a subject, so that the search itself is on the log.
 */
export function buildAccessRecords(people: readonly ReleasedPerson[], context: RecordContext): StoredAccessRecord[] {
  const bySubject = new Map<string | undefined, { subject: Subject | undefined; fields: Set<string> }>();
  for (const person of people) {
    const subject =
      person.subjectId === undefined ? undefined : { id: person.subjectId, type: person.subjectType ?? 'BSN' };
    const key = subject && `${subject.type}\n${subject.id}`;
    const entry = bySubject.get(key) ?? { subject, fields: new Set<string>() };
    for (const f of person.releasedFields) entry.fields.add(f);
    bySubject.set(key, entry);
  }
  if (bySubject.size === 0) bySubject.set(undefined, { subject: undefined, fields: new Set() });
  const { grant, actor, trace } = context;
  return [...bySubject.values()].map(({ subject, fields }) => ({
    id: uuidv7(trace.startTime),
    record: {
      trace_id: trace.traceId,
      span_id: newSpanId(),
      // Children of the caller's span (W3C traceparent); of the gateway's own span when the caller sent none.
      parent_span_id: trace.parentSpanId ?? trace.spanId,
      name: `${grant.service.id} ${grant.searchType}`,
      status: 'Ok',
      start_time: trace.startTime,
      end_time: context.endTime,
      resource: { attributes: context.resource },
      attributes: {
        'dpl.core.processing_activity_id': grant.processingActivity.id,
        ...subjectAttributes(subject, context.pseudonymise),
        'dpl.core.foreign_operation.processor': actor.processorOin,
        ...(actor.delegateOin ? { 'poortwachter.delegate_oin': actor.delegateOin } : {}),
        'poortwachter.processing_activity_version': grant.processingActivity.version,
        'poortwachter.service_id': grant.service.id,
        'poortwachter.search_type': grant.searchType,
        'poortwachter.released_fields': [...fields].sort(),
        'poortwachter.fsc_transaction_id': context.transactionId,
        ...(context.sourceSpanId ? { 'poortwachter.source_span_id': context.sourceSpanId } : {}),
        'poortwachter.request_digest': actor.requestDigest,
        'poortwachter.response_digest': context.responseDigest,
      },
    },
  }));
}
