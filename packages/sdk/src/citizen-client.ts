import {
  activeServices,
  type DirectorySource,
  directoryLoader,
  gatewayBase,
  providerOf,
  throwProblem,
  verifyGatewayResponse,
} from './gateway-calls.ts';
import { SdkError } from './sdk-error.ts';

/** One access to the citizen's data, as a gateway's inzage shows it (plain Dutch). */
export interface CitizenAccess {
  readonly id: string;
  readonly tijdstip: string;
  readonly organisatie: { readonly naam: string; readonly oin: string };
  readonly doel: string;
  readonly verwerking: string;
  readonly grondslagen: readonly {
    readonly omschrijving: string;
    readonly wet: string;
    readonly artikel: string;
    readonly link: string;
  }[];
  readonly gegevens: readonly { readonly soort: string; readonly velden: readonly string[] }[];
  readonly transactieId: string;
  readonly dienst: string;
}

/** An access in the merged timeline, with the gateway that answered for it and whose signature was checked. */
export interface TimelineEntry extends CitizenAccess {
  readonly gateway: string;
  readonly bronhouder: string;
  readonly verified: true;
}

/** A gateway that could not give its part of the timeline: the timeline is then incomplete, and says so. */
export interface MissingGateway {
  readonly service: string;
  readonly gateway: string;
  readonly reason: string;
}

export interface AccessLogResult {
  /** Newest first, from every gateway in the directory. */
  readonly records: readonly TimelineEntry[];
  /** Empty when every gateway answered with a verified signature. */
  readonly missing: readonly MissingGateway[];
  readonly complete: boolean;
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
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const directory = directoryLoader(options);

  async function pagesOf(base: string, query: URLSearchParams, verify: (res: Response, body: string) => Promise<void>) {
    const records: CitizenAccess[] = [];
    for (let cursor: string | null = null, pages = 0; ; pages++) {
      if (pages > 10_000) throw new SdkError('tooManyPages', 'The gateway keeps sending pages.');
      const q = new URLSearchParams(query);
      if (cursor) q.set('cursor', cursor);
      let res: Response;
      try {
        res = await fetchImpl(`${base}/inzage/v1/verwerkingen?${q}`, {
          headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
        });
      } catch (cause) {
        throw new SdkError('network', `The gateway at ${base} cannot be reached.`, undefined, { cause });
      }
      const text = await res.text();
      if (res.headers.has('signature') || res.ok) await verify(res, text);
      if (!res.ok) throwProblem(res, text);
      const page = JSON.parse(text) as { verwerkingen: CitizenAccess[]; volgende: string | null };
      records.push(...page.verwerkingen);
      cursor = page.volgende;
      if (!cursor) return records;
    }
  }

  return {
    directory,
    /** The whole timeline for a period (`from`/`to` as dates or date-times; both optional). */
    async accessLog(period: { from?: string; to?: string; pageSize?: number } = {}): Promise<AccessLogResult> {
      const snapshot = await directory();
      const query = new URLSearchParams({ limit: String(period.pageSize ?? 100) });
      if (period.from) query.set('van', period.from);
      if (period.to) query.set('tot', period.to);
      const answers = await Promise.all(
        activeServices(snapshot).map(async (service) => {
          const provider = providerOf(snapshot, service);
          try {
            const records = await pagesOf(gatewayBase(service), query, (res, body) =>
              verifyGatewayResponse(res, body, provider),
            );
            return {
              records: records.map((r) => ({
                ...r,
                gateway: service.gatewayUrl,
                bronhouder: provider?.name ?? service.providerOin,
                verified: true as const,
              })),
            };
          } catch (error) {
            // Refusals of the token (401/403) concern every gateway alike: the caller must see them.
            if (error instanceof SdkError && ['authentication', 'unauthorized'].includes(error.code)) throw error;
            const reason =
              error instanceof SdkError && error.code === 'network'
                ? 'the gateway cannot be reached'
                : error instanceof Error
                  ? error.message
                  : String(error);
            return { missing: { service: service.id, gateway: service.gatewayUrl, reason } };
          }
        }),
      );
      const records = answers
        .flatMap((a) => ('records' in a ? a.records : []))
        .sort((a, b) => b.tijdstip.localeCompare(a.tijdstip) || b.id.localeCompare(a.id));
      const missing = answers.flatMap((a) => ('missing' in a && a.missing ? [a.missing] : []));
      return { records, missing, complete: missing.length === 0 };
    },
  };
}

export type CitizenClient = ReturnType<typeof createCitizenClient>;
