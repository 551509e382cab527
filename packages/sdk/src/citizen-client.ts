import type { DirectorySnapshot, Organisation, Service, TerugMelding } from '@poortwachter/protocol';
import { decodeJwt } from 'jose';
import { type CallControl, controlledCall } from './call-control.ts';
import { citizenTerugmeldingCalls } from './citizen-terugmelding.ts';
import type { CitizenAccess } from './citizen-view.ts';
import {
  activeServices,
  type DirectorySource,
  directoryLoader,
  gatewayBase,
  gatewayFetch,
  missingGateway,
  providerOf,
  readVerified,
  readVerifiedText,
} from './gateway-calls.ts';
import { checkInclusion, type InclusionCheck } from './inclusion-check.ts';
import {
  type OwnData,
  type OwnDataResult,
  ownFieldValues,
  SIGNED_ANSWER_HEADERS,
  type SignedAnswer,
} from './own-data.ts';
import { SdkError } from './sdk-error.ts';

export type { CitizenAccess, InclusionCheck };

/** An access in the merged timeline, with the gateway that answered for it and whose signature was checked. */
export interface TimelineEntry extends CitizenAccess {
  readonly gateway: string;
  readonly bronhouder: string;
  /** The gateway's signature over the answer was verified. */
  readonly verified: true;
  /** With `accessLog({ verify: true })`: the record's inclusion proof against a signed tree head. */
  readonly inLog?: InclusionCheck;
}

import type { MissingGateway } from './gateway-calls.ts';

export type { MissingGateway };

export interface AccessLogResult {
  /** Newest first, from every gateway in the directory. */
  readonly records: readonly TimelineEntry[];
  /** Empty when every gateway answered with a verified signature. */
  readonly missing: readonly MissingGateway[];
  readonly complete: boolean;
  /** How many of the citizen's records of the period the gateways removed after their bewaartermijn. */
  readonly removedByRetention: number;
}

export interface CitizenClientOptions extends DirectorySource {
  /** The citizen's token from a trusted identity provider (DigiD; in development examples/dev-idp). */
  readonly token: string;
}

/**
 * A client for a citizen: asks **every** gateway in the directory for the accesses to the citizen's
 * data and merges them into one timeline, as one government. Each gateway's answer must carry the
 * bronhouder's verified signature; a gateway that is down or answers unsigned is reported in
 * `missing`, never skipped silently.
 *
 * @example
 * const client = createCitizenClient({ token, registryUrl: 'http://localhost:8300', registryKey });
 * const { records, missing } = await client.accessLog({ from: '2026-01-01' });
 */
export function createCitizenClient(options: CitizenClientOptions) {
  const directory = directoryLoader(options);
  const meldingen = citizenTerugmeldingCalls(options.token, directory);
  const run = <T>(
    name: string,
    control: CallControl | undefined,
    body: (fetch: typeof globalThis.fetch) => Promise<T>,
  ) => controlledCall(name, options, control, body);

  async function pagesOf(
    fetchImpl: typeof globalThis.fetch,
    base: string,
    query: URLSearchParams,
    provider: Organisation | undefined,
  ) {
    const records: CitizenAccess[] = [];
    let removed = 0;
    for (let cursor: string | null = null, pages = 0; ; pages++) {
      if (pages > 10_000) throw new SdkError('tooManyPages', 'The gateway keeps sending pages.');
      const q = new URLSearchParams(query);
      if (cursor) q.set('cursor', cursor);
      const res = await gatewayFetch(
        fetchImpl,
        `${base}/inzage/v1/verwerkingen?${q}`,
        { headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } },
        base,
      );
      const page = await readVerified<{
        verwerkingen: CitizenAccess[];
        volgende: string | null;
        verwijderd?: { aantal?: unknown };
      }>(res, provider);
      records.push(...page.verwerkingen);
      // Every page gives the same count of the period's records removed by retention.
      const aantal = Number(page.verwijderd?.aantal ?? 0);
      if (Number.isSafeInteger(aantal) && aantal > 0) removed = aantal;
      cursor = page.volgende;
      if (!cursor) return { records, removed };
    }
  }

  async function accessLogWith(
    fetchImpl: typeof globalThis.fetch,
    period: { from?: string; to?: string; pageSize?: number; verify?: boolean },
  ): Promise<AccessLogResult> {
    const snapshot = await directory(fetchImpl);
    const query = new URLSearchParams({ limit: String(period.pageSize ?? 100) });
    if (period.from) query.set('van', period.from);
    if (period.to) query.set('tot', period.to);
    const answers = await Promise.all(
      activeServices(snapshot).map(async (service) => {
        const provider = providerOf(snapshot, service);
        try {
          const { records, removed } = await pagesOf(fetchImpl, gatewayBase(service), query, provider);
          const checks = period.verify
            ? await mapLimited(records, 8, (r) =>
                checkInclusion(fetchImpl, gatewayBase(service), options.token, r, provider, snapshot),
              )
            : undefined;
          return {
            removed,
            records: records.map((r, i) => ({
              ...r,
              gateway: service.gatewayUrl,
              bronhouder: provider?.name ?? service.providerOin,
              verified: true as const,
              ...(checks ? { inLog: checks[i] as InclusionCheck } : {}),
            })),
          };
        } catch (error) {
          return { missing: missingGateway(service, error) };
        }
      }),
    );
    const records = answers
      .flatMap((a) => ('records' in a ? a.records : []))
      .sort((a, b) => b.tijdstip.localeCompare(a.tijdstip) || b.id.localeCompare(a.id));
    const missing = answers.flatMap((a) => ('missing' in a && a.missing ? [a.missing] : []));
    const removedByRetention = answers.reduce((n, a) => n + ('removed' in a ? a.removed : 0), 0);
    return { records, missing, complete: missing.length === 0, removedByRetention };
  }

  async function ownDataOf(
    fetchImpl: typeof globalThis.fetch,
    snapshot: DirectorySnapshot,
    service: Service,
  ): Promise<OwnData> {
    const provider = providerOf(snapshot, service);
    const url = `${gatewayBase(service)}/inzage/v1/gegevens`;
    const res = await gatewayFetch(
      fetchImpl,
      url,
      { headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } },
      gatewayBase(service),
    );
    const { text, signature } = await readVerifiedText(res, provider);
    const key = provider?.keys.find((k) => k.kid === signature.params.keyid);
    if (!provider || !key) throw new SdkError('responseUnverified', 'The signing key is not in the directory.');
    const headers: SignedAnswer['headers'] = Object.fromEntries(
      SIGNED_ANSWER_HEADERS.flatMap((name) => {
        const value = res.headers.get(name);
        return value === null ? [] : [[name, value]];
      }),
    );
    return {
      dienst: service.id,
      bronhouder: { naam: provider.name, oin: provider.oin },
      url,
      velden: ownFieldValues(service, JSON.parse(text)),
      antwoord: { status: res.status, headers, body: text },
      sleutel: { ...key.jwk, kid: key.kid, ...(key.x5c ? { x5c: [...key.x5c] } : {}) },
    };
  }

  async function gegevensWith(fetchImpl: typeof globalThis.fetch): Promise<OwnDataResult> {
    const snapshot = await directory(fetchImpl);
    const answers = await Promise.all(
      activeServices(snapshot)
        .filter((service) => service.betrokkene !== undefined)
        .map(async (service) => {
          try {
            return { bron: await ownDataOf(fetchImpl, snapshot, service) };
          } catch (error) {
            return { missing: missingGateway(service, error) };
          }
        }),
    );
    return {
      betrokkene: { bsn: tokenBsn(options.token) },
      bronnen: answers.flatMap((a) => ('bron' in a ? [a.bron] : [])),
      missing: answers.flatMap((a) => ('missing' in a ? [a.missing] : [])),
    };
  }

  return {
    /** The verified directory (fetched once, then kept). */
    directory: (control?: CallControl) => run('directory', control, directory),
    /**
     * The whole timeline for a period (`from`/`to` as dates or date-times; both optional). A gateway
     * that does not answer within `timeoutMs` is in `missing`; an abort rejects the whole call.
     */
    accessLog: (
      period: CallControl & { from?: string; to?: string; pageSize?: number; verify?: boolean } = {},
    ): Promise<AccessLogResult> => run('accessLog', period, (fetch) => accessLogWith(fetch, period)),
    /**
     * What each bronhouder holds about the citizen, asked at every gateway whose service offers it to
     * the betrokkene (`GET /inzage/v1/gegevens`); each answer's digest and the bronhouder's signature
     * verified. A gateway that does not answer is in `missing`. `downloadFile(result)` makes the file.
     *
     * @example
     * const { bronnen, missing } = await client.gegevens();
     * for (const b of bronnen) for (const v of b.velden) console.log(b.bronhouder.naam, v.label, v.waarde);
     */
    gegevens: (control: CallControl = {}): Promise<OwnDataResult> =>
      run('gegevens', control, (fetch) => gegevensWith(fetch)),

    /** Asks the bronhouder of `serviceId` to correct values about the citizen (a TerugMelding); resolves its `Ontvangen`. */
    terugmelden: (serviceId: string, melding: TerugMelding, control?: CallControl) =>
      run('terugmelden', control, (fetch) => meldingen.terugmelden(fetch, serviceId, melding)),
    /** Every melding about the citizen, their own and those organisations filed, from every inway that takes them. */
    terugmeldingen: (control?: CallControl) => run('terugmeldingen', control, meldingen.terugmeldingen),
    /** Withdraws the citizen's own melding `id` at `serviceId`'s inway while it is not handled yet. */
    intrekken: (serviceId: string, id: string, control?: CallControl) =>
      run('intrekken', control, (fetch) => meldingen.intrekken(fetch, serviceId, id)),
  };
}

/** The BSN the citizen's token names (`sub`); the gateways verify the token, this only labels the result. */
function tokenBsn(token: string): string {
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' ? sub : '';
  } catch {
    return '';
  }
}

export type CitizenClient = ReturnType<typeof createCitizenClient>;

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
