import type { DirectorySnapshot } from '@poortwachter/protocol';
import { isBsn, parseDateTime } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type CallControl, type CallDefaults, controlledCall } from './call-control.ts';
import type { DirectoryTrust } from './directory-client.ts';
import { directoryLoader, gatewayBase, providerOf, signedGatewayCall } from './gateway-calls.ts';
import { type LoggedRecord, type Reconciliation, reconcileLogs } from './reconcile.ts';
import { SdkError } from './sdk-error.ts';
import { type ServiceCalls, type ServiceCallsAs, serviceCalls } from './service-call.ts';

export interface OrganisationClientOptions extends CallDefaults {
  /** The afnemer's OIN (must own `privateKey` in the registry). */
  readonly oin: string;
  readonly privateKey: JWK;
  /** A verified directory, or where to fetch one (with the pinned registry key). */
  readonly directory?: DirectorySnapshot;
  readonly registryUrl?: string;
  readonly registryKey?: JWK | { keys: JWK[] };
  /**
   * The trust step after the registry's signature (Node: `trustedBy(readTrustAnchorsFile(file))`): keys
   * anchored outside the registry only, autorisaties only from contracts both sides signed. Without it
   * the client takes the registry's word for keys, and finds no autorisaties (the registry publishes none).
   */
  readonly trust?: DirectoryTrust;
  /** The BRP service of `personen`, `readLog` and `reconcile` (default `brp-personen`); `service(id)` calls any. */
  readonly serviceId?: string;
}

export interface QueryOptions extends CallControl {
  /** The URI of your verwerkingsactiviteit (doelbinding): every query names one. */
  readonly processingActivity: string;
  /** The field paths you need (data minimisation: required). */
  readonly fields: readonly string[];
  readonly transactionId?: string;
  readonly traceparent?: string;
}

/** The service of `personen`, `readLog` and `reconcile` when the client is not told another: RvIG's BRP. */
export const PERSONEN_SERVICE_ID = 'brp-personen';
/** The search parameters of a call: everything but the query options. */
function searchParameters<Q extends QueryOptions>(q: Q): Omit<Q, keyof QueryOptions> {
  const {
    processingActivity: _p,
    fields: _f,
    transactionId: _t,
    traceparent: _tp,
    signal: _s,
    timeoutMs: _ms,
    ...parameters
  } = q;
  return parameters;
}

/** Filters of the Logboek read API; at least one of the first five. */
export interface LogFilter {
  readonly traceId?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly 'dpl.core.processing_activity_id'?: string;
  /** A BSN: the gateway looks it up by its pseudonym. */
  readonly 'dpl.core.data_subject_id'?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface LogPage {
  readonly metadata: { readonly logbookId: string; readonly organizationName: string };
  /** The records as stored (OpenTelemetry span shape), with their ids. */
  readonly processingActivities: readonly ({ readonly id: string } & Record<string, unknown>)[];
  readonly next: string | null;
}

export interface QueryResult<P = Record<string, unknown>> {
  readonly type: string;
  readonly personen: P[];
  readonly transactionId: string;
  /** The provider's signature over the response verified, bound to this request. */
  readonly verified: true;
  readonly traceparent: string | null;
}

/**
 * A client for an afnemer (a gemeente, an uitvoeringsorganisatie): finds the gateway of the service
 * in the directory, signs each query with the organisation's key, verifies the provider's signature
 * on the answer, and throws an `SdkError` carrying the problem details on a refusal. `personen` has
 * the BRP's searches; `service(id)` calls any operation of any service the directory lists.
 *
 * @example
 * const client = createOrganisationClient({ oin, privateKey, registryUrl: 'http://localhost:8300', registryKey });
 * const { personen } = await client.personen.raadpleeg({
 *   burgerservicenummer: '999993653', fields: ['naam', 'geboorte.datum'], processingActivity,
 * });
 * const { body } = await client.service('brk-bevragen').get('/kadastraalonroerendezaken', {
 *   query: { postcode: '3077AW', huisnummer: 31 }, processingActivity: ozb,
 * });
 */
export function createOrganisationClient(options: OrganisationClientOptions) {
  const serviceId = options.serviceId ?? PERSONEN_SERVICE_ID;
  const currentDirectory = directoryLoader(options);
  const run = <T>(
    name: string,
    control: CallControl | undefined,
    body: (fetch: typeof globalThis.fetch) => Promise<T>,
  ) => controlledCall(name, options, control, body);

  const calls = new Map<string, ServiceCallsAs>();
  /** The signed calls of any service the directory lists (made once per service). */
  function callsOf(id: string): ServiceCallsAs {
    let found = calls.get(id);
    if (!found) {
      found = serviceCalls({ ...options, serviceId: id, directory: currentDirectory });
      calls.set(id, found);
    }
    return found;
  }

  async function query<P>(
    name: string,
    type: string,
    parameters: Record<string, unknown>,
    q: QueryOptions,
  ): Promise<QueryResult<P>> {
    const answer = await callsOf(serviceId).callAs<{ type: string; personen: P[] }>(
      `personen.${name}`,
      'POST',
      '/personen',
      { type, ...parameters, fields: q.fields },
      {
        processingActivity: q.processingActivity,
        ...(q.transactionId ? { transactionId: q.transactionId } : {}),
        ...(q.traceparent ? { traceparent: q.traceparent } : {}),
        ...(q.signal ? { signal: q.signal } : {}),
        ...(q.timeoutMs === undefined ? {} : { timeoutMs: q.timeoutMs }),
      },
    );
    return {
      type: answer.body.type,
      personen: answer.body.personen,
      transactionId: answer.transactionId,
      verified: true,
      traceparent: answer.traceparent,
    };
  }

  /**
   * The organisation's own records from the gateway's log, in the Logboek Dataverwerkingen read API
   * shape (`POST /processing-activities`, signed). Give at least one filter; `next` pages on.
   */
  function readLog(filter: LogFilter, control?: CallControl): Promise<LogPage> {
    return run('readLog', control, (fetch) => readLogWith(fetch, filter));
  }
  async function readLogWith(fetchImpl: typeof globalThis.fetch, filter: LogFilter): Promise<LogPage> {
    const snapshot = await currentDirectory(fetchImpl);
    const service = snapshot.services.find((s) => s.id === serviceId);
    if (!service) throw new SdkError('serviceNotFound', `Service ${serviceId} is not in the directory.`);
    const { body } = await signedGatewayCall<LogPage>(
      fetchImpl,
      { url: `${gatewayBase(service)}/processing-activities`, method: 'POST', body: filter },
      options.privateKey,
      providerOf(snapshot, service),
    );
    return body;
  }

  /** Every page of a Logboek read API for a filter (signed reads, each answer verified). */
  async function readAll(page: (cursor?: string) => Promise<LogPage>): Promise<LoggedRecord[]> {
    const records: LoggedRecord[] = [];
    let cursor: string | undefined;
    do {
      const result = await page(cursor);
      records.push(...(result.processingActivities as readonly LoggedRecord[]));
      cursor = result.next ?? undefined;
    } while (cursor);
    return records;
  }

  /**
   * Reconciles this organisation's outway log with the provider's gateway log for `[from, to)`: every
   * exchange logged on one side only, and every outway record whose evidence does not verify. Both
   * logs are read with signed Logboek read API calls (the outway's answers are signed with our own
   * key, the gateway's with the provider's).
   *
   * @example
   * const r = await client.reconcile({ outwayUrl: 'http://localhost:8304', from: '2026-12-01', to: '2026-12-02' });
   * if (!r.consistent) console.log(r.onlyAtProvider, r.onlyAtAfnemer);
   */
  function reconcile(
    q: CallControl & {
      readonly outwayUrl: string;
      readonly from: string | Date;
      readonly to: string | Date;
      /** How far beyond the period the provider's log is read, so border exchanges match (default 300 s). */
      readonly marginSeconds?: number;
    },
  ): Promise<Reconciliation> {
    return run('reconcile', q, (fetch) => reconcileWith(fetch, q));
  }
  async function reconcileWith(fetchImpl: typeof globalThis.fetch, q: Parameters<typeof reconcile>[0]) {
    const snapshot = await currentDirectory(fetchImpl);
    const us = snapshot.organisations.find((o) => o.oin === options.oin);
    const ms = (at: string | Date) => (typeof at === 'string' ? (parseDateTime(at)?.ms ?? Number.NaN) : at.getTime());
    const from = ms(q.from);
    const to = ms(q.to);
    if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
      throw new SdkError('configuration', 'Give a period: from before to (dates that exist, as 2026-12-01).');
    }
    const margin = (q.marginSeconds ?? 300) * 1000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const outway = await readAll(async (cursor) => {
      const { body } = await signedGatewayCall<LogPage>(
        fetchImpl,
        {
          url: `${q.outwayUrl.replace(/\/+$/, '')}/processing-activities`,
          method: 'POST',
          body: {
            startTime: iso(from - margin),
            endTime: iso(to + margin),
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          },
        },
        options.privateKey,
        us,
      );
      return body;
    });
    const provider = await readAll((cursor) =>
      readLogWith(fetchImpl, {
        startTime: iso(from - margin),
        endTime: iso(to + margin),
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      }),
    );
    return reconcileLogs({ directory: snapshot, afnemerOin: options.oin, serviceId, from, to, outway, provider });
  }

  return {
    oin: options.oin,
    /** The verified directory (fetched once, then kept). */
    directory: (control?: CallControl) => run('directory', control, currentDirectory),
    /** The signed calls of any service the directory lists: `service('brk-bevragen').get(path, options)`. */
    service: (id: string): ServiceCalls => {
      const { get, post } = callsOf(id);
      return { id, get, post };
    },
    readLog,
    reconcile,
    personen: {
      /** RaadpleegMetBurgerservicenummer: one or more BSNs. */
      raadpleeg: <P = Record<string, unknown>>(
        q: QueryOptions & { burgerservicenummer: string | readonly string[] },
      ) => {
        const bsns = typeof q.burgerservicenummer === 'string' ? [q.burgerservicenummer] : q.burgerservicenummer;
        // The same elfproef the gateway applies (isBsn): a number that is no BSN is never sent, nor logged.
        const wrong = bsns.flatMap((bsn, i) =>
          isBsn(bsn)
            ? []
            : [{ name: `burgerservicenummer.${i}`, code: 'elfproef', reason: `${bsn} is geen burgerservicenummer.` }],
        );
        if (wrong.length > 0) {
          return Promise.reject(
            new SdkError('paramsValidation', 'Een burgerservicenummer klopt niet (9 cijfers, elfproef).', {
              type: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1',
              title: 'Een of meerdere parameters zijn niet correct.',
              status: 400,
              code: 'paramsValidation',
              invalidParams: wrong,
            }),
          );
        }
        return query<P>('raadpleeg', 'RaadpleegMetBurgerservicenummer', { burgerservicenummer: bsns }, q);
      },
      zoekMetGeslachtsnaamEnGeboortedatum: <P = Record<string, unknown>>(
        q: QueryOptions & { geslachtsnaam: string; geboortedatum: string; voornamen?: string; voorvoegsel?: string },
      ) => {
        return query<P>(
          'zoekMetGeslachtsnaamEnGeboortedatum',
          'ZoekMetGeslachtsnaamEnGeboortedatum',
          searchParameters(q),
          q,
        );
      },
      zoekMetPostcodeEnHuisnummer: <P = Record<string, unknown>>(
        q: QueryOptions & { postcode: string; huisnummer: number; huisletter?: string; huisnummertoevoeging?: string },
      ) => {
        return query<P>('zoekMetPostcodeEnHuisnummer', 'ZoekMetPostcodeEnHuisnummer', searchParameters(q), q);
      },
      /** Any search type of the protocol, with its parameters. */
      query: <P = Record<string, unknown>>(type: string, parameters: Record<string, unknown>, q: QueryOptions) =>
        query<P>('query', type, parameters, q),
    },
  };
}

export type OrganisationClient = ReturnType<typeof createOrganisationClient>;
