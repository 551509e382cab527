import type { DirectorySnapshot, TerugMelding, TerugmeldingOntvangen, TerugmeldingView } from '@poortwachter/protocol';
import type { MissingGateway } from './gateway-calls.ts';
import {
  activeServices,
  gatewayBase,
  gatewayFetch,
  missingGateway,
  providerOf,
  readVerified,
} from './gateway-calls.ts';
import { SdkError } from './sdk-error.ts';

/** A melding about the citizen as a bronhouder's inway shows it, with where it is kept. */
export interface CitizenTerugmelding extends TerugmeldingView {
  /** The service whose inway keeps it (`brp-personen`): what `intrekken` takes. */
  readonly service: string;
  readonly bronhouder: string;
  /** The bronhouder's signature over the answer was verified. */
  readonly verified: true;
}

export interface TerugmeldingenResult {
  /** Newest first, from every inway that takes meldingen: the citizen's own and those organisations filed. */
  readonly terugmeldingen: readonly CitizenTerugmelding[];
  /** Inways that did not answer with a verified signature: the list is then incomplete, and says so. */
  readonly missing: readonly MissingGateway[];
}

/**
 * The citizen's terugmelding calls, with their token, at the inways of the services that offer the
 * betrokkene their own data (`Service.betrokkene`). Each answer must carry the bronhouder's verified
 * signature. Used by `createCitizenClient`, which adds them to its client.
 */
export function citizenTerugmeldingCalls(
  token: string,
  directory: (fetch: typeof globalThis.fetch) => Promise<DirectorySnapshot>,
) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  async function serviceOf(fetchImpl: typeof globalThis.fetch, serviceId: string) {
    const snapshot = await directory(fetchImpl);
    const service = activeServices(snapshot).find((s) => s.id === serviceId);
    if (!service?.betrokkene) {
      throw new SdkError('serviceNotFound', `Service ${serviceId} takes no terugmeldingen from citizens.`);
    }
    return { service, provider: providerOf(snapshot, service), base: gatewayBase(service) };
  }
  async function post<T>(fetchImpl: typeof globalThis.fetch, serviceId: string, path: string, body?: unknown) {
    const { provider, base } = await serviceOf(fetchImpl, serviceId);
    const res = await gatewayFetch(
      fetchImpl,
      `${base}/inzage/v1/terugmeldingen${path}`,
      {
        method: 'POST',
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      base,
    );
    return readVerified<T>(res, provider);
  }

  return {
    /** Asks the bronhouder of `serviceId` to correct values (Logius' TerugMelding shape); resolves its `Ontvangen`. */
    terugmelden: (fetchImpl: typeof globalThis.fetch, serviceId: string, melding: TerugMelding) =>
      post<TerugmeldingOntvangen>(fetchImpl, serviceId, '', melding),
    /** Withdraws the citizen's own melding while it is not handled yet; resolves it as it now stands. */
    intrekken: (fetchImpl: typeof globalThis.fetch, serviceId: string, id: string) =>
      post<TerugmeldingView>(fetchImpl, serviceId, `/${encodeURIComponent(id)}/intrekken`),
    /** Every melding about the citizen at every inway that takes them. */
    async terugmeldingen(fetchImpl: typeof globalThis.fetch): Promise<TerugmeldingenResult> {
      const snapshot = await directory(fetchImpl);
      const answers = await Promise.all(
        activeServices(snapshot)
          .filter((s) => s.betrokkene)
          .map(async (service) => {
            const provider = providerOf(snapshot, service);
            const base = gatewayBase(service);
            try {
              const res = await gatewayFetch(fetchImpl, `${base}/inzage/v1/terugmeldingen`, { headers }, base);
              const page = await readVerified<{ terugmeldingen: TerugmeldingView[] }>(res, provider);
              return page.terugmeldingen.map((m) => ({
                ...m,
                service: service.id,
                bronhouder: provider?.name ?? service.providerOin,
                verified: true as const,
              }));
            } catch (error) {
              return missingGateway(service, error);
            }
          }),
      );
      return {
        terugmeldingen: answers
          .flatMap((a) => (Array.isArray(a) ? a : []))
          .sort((a, b) => b.ingediend.localeCompare(a.ingediend)),
        missing: answers.flatMap((a) => (Array.isArray(a) ? [] : [a])),
      };
    },
  };
}
