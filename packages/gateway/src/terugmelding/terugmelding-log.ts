import {
  contentDigest,
  GatewayRefusal,
  newSpanId,
  type TerugMelding,
  type TerugmeldingOntvangen,
  uuidv7,
} from '@poortwachter/protocol';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { GroupCommitter } from '../log/group-commit.ts';
import { subjectAttributes } from '../pipeline/build-records.ts';
import type { GatewayEnv } from '../pipeline/context.ts';
import { JSON_UTF8 } from '../pipeline/media-types.ts';
import { send } from '../pipeline/sign-response.ts';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { AccessRecord, StoredAccessRecord } from '../storage/access-record.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { insertTerugmelding } from './terugmelding-store.ts';

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
  /** The BSN it is about; undefined: the record names no subject (see `hiddenFromCitizen`). */
  readonly bsn: string | undefined;
  /** Who acted: the bronhouder (handling, and a citizen's melding), or the afnemer for its own. */
  readonly processorOin: string;
  /** The verwerkingsactiviteit version it was done under. */
  readonly activity: { readonly id: string; readonly version: number };
  /** The catalogue paths of the melding's urns. */
  readonly paths: readonly string[];
  /** `sha-256=:…:` of what the request was: the signature base, or the citizen's bearer token. */
  readonly requestDigest: string;
  /** On filing: `sha-256=:…:` of the melding as stored (`body`), so that an edit of the stored melding is found. */
  readonly bodyDigest?: string;
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
      ...subjectAttributes(
        change.bsn === undefined ? undefined : { id: change.bsn, type: 'BSN' },
        options.pseudonymise,
      ),
      'dpl.core.foreign_operation.processor': change.processorOin,
      'poortwachter.processing_activity_version': change.activity.version,
      'poortwachter.service_id': change.serviceId,
      'poortwachter.search_type': 'Terugmelding',
      'poortwachter.released_fields': [...new Set(change.paths)].sort(),
      'poortwachter.fsc_transaction_id': c.get('transactionId'),
      'poortwachter.request_digest': change.requestDigest,
      'poortwachter.response_digest': responseDigest,
      'poortwachter.terugmelding': {
        id: change.terugmeldingId,
        status: change.status,
        ...(change.bodyDigest === undefined ? {} : { body_digest: change.bodyDigest }),
      },
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

/** A new melding, checked, and who files it. */
export interface NewMelding {
  readonly serviceId: string;
  readonly melding: TerugMelding;
  readonly bsn: string;
  readonly paths: readonly string[];
  /** The citizen, or the afnemer (its OIN and the activity it filed under). */
  readonly melder: { readonly soort: 'betrokkene' } | { readonly soort: 'organisatie'; readonly oin: string };
  /** Who is responsible for the filing and under which activity version (the record's processor and activity). */
  readonly processorOin: string;
  readonly activity: { readonly id: string; readonly version: number };
  readonly requestDigest: string;
  /** What the melder is told (the `Ontvangen`'s `beschrijving`). */
  readonly beschrijving: string;
}

/**
 * Files a melding (status Gemeld): its record first (with the digest of the melding as stored), then the
 * row; answers 201 with Logius' `Ontvangen`.
 */
export async function fileMelding(
  c: Context<GatewayEnv>,
  options: TerugmeldingLog & { readonly db: Kysely<GatewayDatabase> },
  filed: NewMelding,
): Promise<Response> {
  const at = options.now();
  const id = uuidv7(at);
  const referentiekenmerk = filed.melding.terugMeldingHeader?.referentiekenmerk;
  const organisatie = filed.melder.soort === 'organisatie' ? filed.melder.oin : null;
  const ontvangen: TerugmeldingOntvangen = {
    terugMeldingReferentie: id,
    ...(referentiekenmerk === undefined ? {} : { referentiekenmerk }),
    status: 'Gemeld',
    beschrijving: filed.beschrijving,
  };
  const body = JSON.stringify(filed.melding);
  const bodyDigest = await contentDigest(body);
  return logThenStore(
    c,
    options,
    {
      terugmeldingId: id,
      status: 'Gemeld',
      bodyDigest,
      serviceId: filed.serviceId,
      bsn: filed.bsn,
      processorOin: filed.processorOin,
      activity: filed.activity,
      paths: filed.paths,
      requestDigest: filed.requestDigest,
    },
    { status: 201, body: ontvangen },
    async () => {
      const row = {
        id,
        service_id: filed.serviceId,
        data_subject_id: options.pseudonymise(filed.bsn),
        melder_soort: filed.melder.soort,
        melder_oin: organisatie,
        processing_activity_id: organisatie === null ? null : filed.activity.id,
        body,
        status: 'Gemeld',
        uitkomst: null,
        bericht: null,
        created_at: at,
        updated_at: at,
        purge_after: null,
      };
      await insertTerugmelding(options.db, row, organisatie);
      return true;
    },
  );
}

const busy = new Map<string, Promise<unknown>>();

/**
 * Runs the changes of one melding in this process one after another: a second change (a double click,
 * two handlers at once) then reads the status the first one made and is refused by the transition rule
 * before anything is logged. Across instances on one database the store's guard still decides (409).
 */
export async function oneAtATime<T>(id: string, change: () => Promise<T>): Promise<T> {
  const before = busy.get(id) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(change);
  busy.set(id, mine);
  try {
    return await mine;
  } finally {
    if (busy.get(id) === mine) busy.delete(id);
  }
}
