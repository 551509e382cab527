import type {
  DirectorySnapshot,
  TerugMelding,
  TerugmeldingOntvangen,
  TerugmeldingOutcome,
  TerugmeldingStatus,
  TerugmeldingView,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type CallControl, controlledCall } from './call-control.ts';
import { type DirectorySource, directoryLoader, gatewayBase, providerOf, signedGatewayCall } from './gateway-calls.ts';
import { SdkError } from './sdk-error.ts';

/** A status change by the bronhouder: `Afgehandeld` needs the `uitkomst` and a `bericht` the melder reads. */
export interface TerugmeldingStatusChange {
  readonly status: TerugmeldingStatus;
  readonly uitkomst?: TerugmeldingOutcome;
  readonly bericht?: string;
}

export interface TerugmeldingClientOptions extends DirectorySource {
  /** The organisation that signs: the bronhouder handling meldingen, or an afnemer sending one. */
  readonly oin: string;
  readonly privateKey: JWK;
}

/**
 * Terugmeldingen at the bronhouders' inways, every request signed with the organisation's key and
 * every answer's signature verified against the provider's key in the directory. A bronhouder lists,
 * reads and handles the meldingen of its own services (`list`, `show`, `setStatus`); an afnemer sends
 * its doubt about a value under one of its verwerkingsactiviteiten (`melden`) and follows it (`status`).
 *
 * @example
 * const meldingen = createTerugmeldingClient({ oin: rvig, privateKey, registryUrl, registryKey, trust });
 * for (const m of await meldingen.list({ service: 'brp-personen', status: 'Gemeld' })) {
 *   await meldingen.setStatus('brp-personen', m.terugMeldingReferentie, { status: 'In behandeling' });
 * }
 */
export function createTerugmeldingClient(options: TerugmeldingClientOptions) {
  const directory = directoryLoader(options);
  const run = <T>(
    name: string,
    control: CallControl | undefined,
    body: (fetch: typeof globalThis.fetch) => Promise<T>,
  ) => controlledCall(name, options, control, body);

  /** One signed call to the inway of `serviceId`, its answer verified. */
  async function call<T>(
    fetchImpl: typeof globalThis.fetch,
    serviceId: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    processingActivity?: string,
  ): Promise<T> {
    const snapshot: DirectorySnapshot = await directory(fetchImpl);
    const service = snapshot.services.find((s) => s.id === serviceId && s.revokedAt === null);
    if (!service) throw new SdkError('serviceNotFound', `Service ${serviceId} is not in the directory.`);
    const answer = await signedGatewayCall<T>(
      fetchImpl,
      {
        url: `${gatewayBase(service)}${path}`,
        method,
        ...(body === undefined ? {} : { body }),
        ...(processingActivity ? { processingActivity } : {}),
      },
      options.privateKey,
      providerOf(snapshot, service),
    );
    return answer.body;
  }
  const one = (id: string) => `/terugmeldingen/${encodeURIComponent(id)}`;

  return {
    oin: options.oin,
    /** The bronhouder's meldingen of one of its services, optionally only those with `status`. */
    list: (q: CallControl & { readonly service: string; readonly status?: TerugmeldingStatus }) =>
      run('list', q, async (fetch) => {
        const query = q.status ? `?${new URLSearchParams({ status: q.status })}` : '';
        return (await call<{ terugmeldingen: TerugmeldingView[] }>(fetch, q.service, 'GET', `/terugmeldingen${query}`))
          .terugmeldingen;
      }),
    /** One melding, whole (the bronhouder sees its attachments). */
    show: (service: string, id: string, control?: CallControl) =>
      run('show', control, (fetch) => call<TerugmeldingView>(fetch, service, 'GET', one(id))),
    /** The bronhouder's next step: `In behandeling`, `Ingepland`, or `Afgehandeld` with `uitkomst` and `bericht`. */
    setStatus: (service: string, id: string, change: TerugmeldingStatusChange, control?: CallControl) =>
      run('setStatus', control, (fetch) => call<TerugmeldingView>(fetch, service, 'POST', `${one(id)}/status`, change)),
    /** An afnemer's melding of doubt about values of `service`, under its verwerkingsactiviteit. */
    melden: (service: string, processingActivity: string, melding: TerugMelding, control?: CallControl) =>
      run('melden', control, (fetch) =>
        call<TerugmeldingOntvangen>(fetch, service, 'POST', '/terugmeldingen', melding, processingActivity),
      ),
    /** How an afnemer's own melding stands. */
    status: (service: string, id: string, control?: CallControl) =>
      run('status', control, (fetch) => call<TerugmeldingView>(fetch, service, 'GET', one(id))),
  };
}

export type TerugmeldingClient = ReturnType<typeof createTerugmeldingClient>;
