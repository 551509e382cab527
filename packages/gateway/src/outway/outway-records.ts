import { type ExchangeEvidence, newSpanId, uuidv7 } from '@poortwachter/protocol';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { subjectAttributes } from '../pipeline/build-records.ts';
import type { RequestTrace, Subject } from '../pipeline/context.ts';
import type { ReceivedAbout } from '../profiles/hal/hal-received.ts';
import { valuesAt } from '../protocol/project-fields.ts';
import type { AccessRecord, AccessRecordAttributes, StoredAccessRecord } from '../storage/access-record.ts';
import type { Application } from './applications.ts';
import type { OutwayGrant } from './context.ts';

/** What the afnemer's side adds to a record: who in the organisation asked, and the signed evidence. */
export interface OutwayRecordAttributes extends AccessRecordAttributes {
  /** The Logius read extension: the Logboek read API of the party called next (the provider's inway). */
  readonly 'dpl.read.externalReadAPI_id': string;
  /** The provider's span for this exchange (its `traceparent`), where its record hangs. */
  readonly 'poortwachter.provider_span_id'?: string;
  /** How many persons the answer held (a search's record without subjects still says how many). */
  readonly 'poortwachter.persons_received': number;
  readonly 'poortwachter.application_id': string;
  readonly 'poortwachter.application_name': string;
  /** The application's opaque reference of the employee who asked; never sent to the provider. */
  readonly 'poortwachter.user_reference'?: string;
  /** Both signatures and digests of the exchange, so anyone can check later that the provider answered. */
  readonly 'poortwachter.evidence': ExchangeEvidence;
}

export interface OutwayAccessRecord extends AccessRecord {
  readonly attributes: OutwayRecordAttributes;
}

export interface OutwayRecordContext {
  readonly grant: OutwayGrant;
  readonly application: Application;
  readonly userReference: string | undefined;
  readonly trace: RequestTrace;
  readonly transactionId: string;
  readonly endTime: number;
  readonly requestDigest: string;
  readonly providerSpanId: string | undefined;
  readonly evidence: ExchangeEvidence;
  readonly directory: DirectoryIndex;
  /** The BSNs of a RaadpleegMetBurgerservicenummer, as asked (subjects when the answer does not name them). */
  readonly requestedBsns: readonly string[];
  /** For a described service's answer: what it held, by subject (`receivedAbout`), instead of `personen`. */
  readonly received?: readonly ReceivedAbout[];
  /** For a terugmelding: its reference and status as the provider answered. */
  readonly terugmelding?: { readonly id: string; readonly status: string };
  readonly pseudonymise: (bsn: string) => string;
  readonly resource: Readonly<Record<string, string>>;
}

/**
 * The afnemer's records of one answer received: one per data subject in it (a search that found
 * nobody still gets one, without a subject), each naming the catalogue paths it held, as the inway
 * names the paths it released. Subjects are pseudonymised with the outway's own log key. When the
 * answer holds no BSNs (not asked for), the subjects are the BSNs asked, or unknown for a search.
 */
export function buildOutwayRecords(
  personen: readonly Record<string, unknown>[],
  context: OutwayRecordContext,
): (StoredAccessRecord & { record: OutwayAccessRecord })[] {
  const { grant, trace, directory } = context;
  const { idPaths, catalogue } = servicePaths(directory, grant.service);
  const subjectOf = (person: Record<string, unknown>) => {
    for (const path of idPaths) {
      const found = valuesAt(person, path).find((v): v is string => typeof v === 'string');
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const fieldsOf = (person: Record<string, unknown>) => heldPaths(person, catalogue);
  const bySubject = new Map<string | undefined, Set<string>>();
  const types = new Map<string, Subject>();
  const subjects = context.received ? [] : personen.map(subjectOf);
  if (context.received) {
    // A described service's answer: its subjects (by type) and what it held about each, read by the description.
    for (const { subject, fields } of context.received) {
      const key = subject && `${subject.type}\n${subject.id}`;
      if (subject && key) types.set(key, subject);
      bySubject.set(key, new Set([...(bySubject.get(key) ?? []), ...fields]));
    }
  } else if (subjects.every((subject) => subject !== undefined)) {
    personen.forEach((person, i) => {
      const subject = subjects[i];
      const fields = bySubject.get(subject);
      if (fields) for (const path of fieldsOf(person)) fields.add(path);
      else bySubject.set(subject, fieldsOf(person));
    });
  } else {
    // The application did not ask for the BSN, so the answer does not say who each person is. For
    // RaadpleegMetBurgerservicenummer the afnemer knows whom it asked about: one record per BSN asked.
    // For a search the subjects stay unknown here (the provider's log has them): one record for it.
    const fields = new Set<string>();
    for (const person of personen) for (const path of fieldsOf(person)) fields.add(path);
    const asked = context.requestedBsns.length > 0 ? context.requestedBsns : [undefined];
    for (const bsn of asked) bySubject.set(bsn, fields);
  }
  if (bySubject.size === 0) bySubject.set(undefined, new Set());
  const gatewayUrl = grant.service.gatewayUrl.replace(/\/+$/, '');
  return [...bySubject].map(([subject, fields]) => ({
    id: uuidv7(trace.startTime),
    record: {
      trace_id: trace.traceId,
      span_id: newSpanId(),
      parent_span_id: trace.spanId,
      name: `${grant.service.id} ${grant.searchType}`,
      status: 'Ok',
      start_time: trace.startTime,
      end_time: context.endTime,
      resource: { attributes: context.resource },
      attributes: {
        'dpl.core.processing_activity_id': grant.processingActivity,
        ...subjectAttributes(
          subject === undefined ? undefined : (types.get(subject) ?? { id: subject, type: 'BSN' }),
          context.pseudonymise,
        ),
        'dpl.core.foreign_operation.processor': grant.provider.oin,
        'dpl.read.externalReadAPI_id': `${gatewayUrl}/processing-activities`,
        'poortwachter.processing_activity_version': grant.processingActivityVersion,
        'poortwachter.service_id': grant.service.id,
        'poortwachter.search_type': grant.searchType,
        'poortwachter.released_fields': [...fields].sort(),
        'poortwachter.persons_received': personen.length,
        'poortwachter.fsc_transaction_id': context.transactionId,
        'poortwachter.request_digest': context.requestDigest,
        'poortwachter.response_digest': context.evidence.response.headers['content-digest'] ?? '',
        ...(context.providerSpanId ? { 'poortwachter.provider_span_id': context.providerSpanId } : {}),
        'poortwachter.application_id': context.application.id,
        'poortwachter.application_name': context.application.name,
        ...(context.userReference ? { 'poortwachter.user_reference': context.userReference } : {}),
        ...(context.terugmelding ? { 'poortwachter.terugmelding': context.terugmelding } : {}),
        'poortwachter.evidence': context.evidence,
      },
    },
  }));
}

/** Per directory snapshot and service: its subject paths within a person, and its catalogue as a set. */
const pathsOf = new WeakMap<DirectoryIndex, Map<string, { idPaths: string[]; catalogue: ReadonlySet<string> }>>();

function servicePaths(directory: DirectoryIndex, service: OutwayRecordContext['grant']['service']) {
  let byService = pathsOf.get(directory);
  if (!byService) {
    byService = new Map();
    pathsOf.set(directory, byService);
  }
  let paths = byService.get(service.id);
  if (!paths) {
    paths = {
      idPaths: service.dataSubjectPaths.map((p) => p.split('.').slice(1).join('.')),
      catalogue: new Set([
        ...(directory.cataloguePaths.get(service.id) ?? []),
        ...(directory.automaticFields.get(service.id) ?? []).map((f) => f.path),
      ]),
    };
    byService.set(service.id, paths);
  }
  return paths;
}

/**
 * The catalogue paths a person holds: every path with a value under it (a leaf, `null` included, as
 * `presentPaths` names them, and every path above one) that is in the catalogue. One walk of the
 * person, no list of its leaves built first.
 */
export function heldPaths(person: unknown, catalogue: ReadonlySet<string>): Set<string> {
  const held = new Set<string>();
  const walk = (value: unknown, prefix: string): boolean => {
    if (Array.isArray(value)) {
      let any = false;
      for (const item of value) if (walk(item, prefix)) any = true;
      return any;
    }
    if (value === null || typeof value !== 'object') {
      if (!prefix) return false;
      if (catalogue.has(prefix)) held.add(prefix);
      return true;
    }
    let any = false;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (walk((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key)) any = true;
    }
    if (any && prefix && catalogue.has(prefix)) held.add(prefix);
    return any;
  };
  walk(person, '');
  return held;
}
