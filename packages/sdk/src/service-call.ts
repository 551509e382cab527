import type { DirectorySnapshot, Service } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type CallControl, type CallDefaults, controlledCall } from './call-control.ts';
import { gatewayBase, providerOf, signedGatewayCall } from './gateway-calls.ts';
import { SdkError } from './sdk-error.ts';

/** A query parameter's value; a list is written comma-separated, as Haal Centraal writes `fields` and `expand`. */
export type QueryValue = string | number | boolean | readonly (string | number)[];

export interface CallOptions extends CallControl {
  /** The URI of your verwerkingsactiviteit (doelbinding): every call names one. */
  readonly processingActivity: string;
  /** The query parameters (`postcode`, `huisnummer`, `fields`, `expand`); undefined ones are left out. */
  readonly query?: Readonly<Record<string, QueryValue | undefined>>;
  readonly transactionId?: string;
  readonly traceparent?: string;
}

export interface CallResult<T = Record<string, unknown>> {
  readonly status: number;
  /** The answer's JSON (for a Haal Centraal HAL service: the resource, with `_links` and `_embedded`). */
  readonly body: T;
  readonly contentType: string | null;
  readonly transactionId: string;
  /** The provider's signature over the response verified, bound to this request. */
  readonly verified: true;
  readonly traceparent: string | null;
}

/** The calls of one service: each signed with the organisation's key, each answer verified. */
export interface ServiceCalls {
  /** The service as the directory describes it. */
  readonly id: string;
  /** `GET <path>?<query>` at the service's gateway. */
  get<T = Record<string, unknown>>(path: string, options: CallOptions): Promise<CallResult<T>>;
  /** `POST <path>?<query>` with `body` as JSON. */
  post<T = Record<string, unknown>>(path: string, body: unknown, options: CallOptions): Promise<CallResult<T>>;
}

/** The calls of one service and the call they go through, which names itself in a timeout as told. */
export interface ServiceCallsAs extends ServiceCalls {
  callAs<T>(name: string, method: 'GET' | 'POST', path: string, body: unknown, q: CallOptions): Promise<CallResult<T>>;
}

/**
 * `?a=1&fields=naam,adressen`: the values percent-encoded, except the commas that separate a list's
 * items (a literal comma and `%2C` are the same value to the gateway; this reads as the spec writes it).
 */
export function queryString(query: CallOptions['query'] = {}): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%2C', ',');
  const pairs = Object.entries(query).flatMap(([name, value]) => {
    if (value === undefined) return [];
    const text = Array.isArray(value) ? value.join(',') : String(value);
    return [`${encode(name)}=${encode(text)}`];
  });
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

/**
 * Where a call of `path` goes, under the service's gateway: the path as given (its segments already
 * encoded), never outside the gateway's base (no `..`, no other host, no query or fragment of its own:
 * those go in `query`), so that the URL signed is the URL sent.
 */
export function serviceUrl(service: Service, path: string, query?: CallOptions['query']): string {
  const wrong = (why: string) =>
    new SdkError('configuration', `The path ${JSON.stringify(path)} cannot be called on ${service.id}: ${why}.`);
  if (!path.startsWith('/') || path.startsWith('//')) throw wrong('it must start with one /');
  if (/[?#]/.test(path)) throw wrong('give query parameters in `query`');
  if (path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) throw wrong('no . or .. segments');
  if (/[\s\p{Cc}\\]/u.test(path)) throw wrong('no spaces, control characters or backslashes');
  const base = gatewayBase(service);
  const url = new URL(`${base}${path}${queryString(query)}`);
  if (!url.href.startsWith(new URL(`${base}/`).href)) throw wrong('it leaves the gateway');
  return url.href;
}

/**
 * The signed calls of service `serviceId` from the directory: the generic way to call any service
 * the directory lists (a Haal Centraal API such as Kadaster's BRK bevragen, or the BRP).
 */
export function serviceCalls(
  options: CallDefaults & {
    readonly serviceId: string;
    readonly directory: (fetch: typeof globalThis.fetch) => Promise<DirectorySnapshot>;
    readonly privateKey: JWK;
  },
): ServiceCallsAs {
  /** A call under its control, named `name` in a timeout (`personen.raadpleeg` calls through here too). */
  function callAs<T>(
    name: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    q: CallOptions,
  ): Promise<CallResult<T>> {
    return controlledCall(name, options, q, (fetch) => call<T>(fetch, method, path, body, q));
  }
  async function call<T>(
    fetch: typeof globalThis.fetch,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    q: CallOptions,
  ): Promise<CallResult<T>> {
    const snapshot = await options.directory(fetch);
    const service = snapshot.services.find((s) => s.id === options.serviceId);
    if (!service) throw new SdkError('serviceNotFound', `Service ${options.serviceId} is not in the directory.`);
    const {
      body: answer,
      res,
      request,
    } = await signedGatewayCall<T>(
      fetch,
      {
        url: serviceUrl(service, path, q.query),
        method,
        ...(method === 'POST' ? { body } : {}),
        processingActivity: q.processingActivity,
        ...(q.transactionId ? { transactionId: q.transactionId } : {}),
        ...(q.traceparent ? { traceparent: q.traceparent } : {}),
      },
      options.privateKey,
      providerOf(snapshot, service),
    );
    return {
      status: res.status,
      body: answer,
      contentType: res.headers.get('content-type'),
      transactionId: res.headers.get('fsc-transaction-id') ?? request.headers['fsc-transaction-id'] ?? '',
      verified: true,
      traceparent: res.headers.get('traceparent'),
    };
  }
  const name = `service(${JSON.stringify(options.serviceId)})`;
  return {
    id: options.serviceId,
    get: (path, q) => callAs(`${name}.get`, 'GET', path, undefined, q),
    post: (path, body, q) => callAs(`${name}.post`, 'POST', path, body, q),
    callAs,
  };
}
