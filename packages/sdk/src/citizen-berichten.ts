import type { DirectorySnapshot, Service } from '@poortwachter/protocol';
import { type CallControl, controlledCall } from './call-control.ts';
import {
  activeServices,
  type DirectorySource,
  directoryLoader,
  gatewayBase,
  gatewayFetch,
  providerOf,
  readVerified,
} from './gateway-calls.ts';
import { isSdkError } from './sdk-error.ts';

/** What a citizen asks to be told of: new accesses, by e-mail, daily or weekly, optionally only of some organisations. */
export interface BerichtenInstelling {
  readonly email: string;
  readonly frequentie: 'dagelijks' | 'wekelijks';
  /** Only accesses by these organisations (OINs); all when absent. */
  readonly organisaties?: readonly string[];
}

/** One gateway's part: its setting for this citizen, or why it has none. */
export interface BerichtenAtGateway {
  readonly gateway: string;
  readonly bronhouder: { readonly naam: string; readonly oin: string };
  /** `ok`: the gateway keeps `instelling` (null: none); `unavailable`: it sends no e-mail; `failed`: see `reason`. */
  readonly state: 'ok' | 'unavailable' | 'failed';
  readonly instelling?: BerichtenInstelling | null;
  readonly reason?: string;
}

/** One gateway per address: services of one bronhouder behind one inway share its subscriptions. */
function gatewaysOf(snapshot: DirectorySnapshot): Service[] {
  const seen = new Set<string>();
  return activeServices(snapshot).filter((s) => !seen.has(gatewayBase(s)) && seen.add(gatewayBase(s)));
}

/**
 * The citizen's e-mail notices of new accesses (`/inzage/v1/berichten`), kept by every gateway for the
 * accesses in its own log: read, set and stop at all gateways at once. Each gateway's answer is verified
 * as every citizen answer is (the bronhouder's signature); a gateway without e-mail says so
 * (`unavailable`), one that fails is `failed` with its reason; a refused token throws.
 *
 * @example
 * const berichten = createBerichtenClient({ token, registryUrl, registryKey });
 * await berichten.set({ email: 'suzanne@example.nl', frequentie: 'dagelijks' });
 */
export function createBerichtenClient(options: DirectorySource & { readonly token: string }) {
  const directory = directoryLoader(options);

  async function atEveryGateway(
    fetchImpl: typeof globalThis.fetch,
    method: 'GET' | 'PUT' | 'DELETE',
    body?: BerichtenInstelling,
  ): Promise<BerichtenAtGateway[]> {
    const snapshot = await directory(fetchImpl);
    return Promise.all(
      gatewaysOf(snapshot).map(async (service): Promise<BerichtenAtGateway> => {
        const provider = providerOf(snapshot, service);
        const part = {
          gateway: service.gatewayUrl,
          bronhouder: { naam: provider?.name ?? service.providerOin, oin: service.providerOin },
        };
        try {
          const res = await gatewayFetch(
            fetchImpl,
            `${gatewayBase(service)}/inzage/v1/berichten`,
            {
              method,
              headers: {
                authorization: `Bearer ${options.token}`,
                accept: 'application/json',
                ...(body ? { 'content-type': 'application/json' } : {}),
              },
              ...(body ? { body: JSON.stringify(body) } : {}),
            },
            service.gatewayUrl,
          );
          if (res.status === 204) return { ...part, state: 'ok', instelling: null };
          const answer = await readVerified<BerichtenInstelling>(res, provider);
          return { ...part, state: 'ok', instelling: method === 'DELETE' ? null : answer };
        } catch (error) {
          if (isSdkError(error) && ['authentication', 'unauthorized'].includes(error.code)) throw error;
          if (isSdkError(error) && error.code === 'noticeUnavailable') return { ...part, state: 'unavailable' };
          // None kept (GET), or none to stop (DELETE): the citizen gets no e-mail from this gateway.
          if (isSdkError(error) && error.code === 'noticeNotFound') return { ...part, state: 'ok', instelling: null };
          return { ...part, state: 'failed', reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }

  const run = <T>(name: string, control: CallControl | undefined, body: (f: typeof globalThis.fetch) => Promise<T>) =>
    controlledCall(name, options, control, body);
  return {
    /** The setting at every gateway. */
    get: (control?: CallControl) => run('berichten', control, (f) => atEveryGateway(f, 'GET')),
    /** Sets (or replaces) the setting at every gateway. */
    set: (instelling: BerichtenInstelling, control?: CallControl) =>
      run('berichten', control, (f) => atEveryGateway(f, 'PUT', instelling)),
    /** Stops the notices at every gateway. */
    stop: (control?: CallControl) => run('berichten', control, (f) => atEveryGateway(f, 'DELETE')),
  };
}

export type BerichtenClient = ReturnType<typeof createBerichtenClient>;
