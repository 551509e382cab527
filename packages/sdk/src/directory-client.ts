import { type DirectorySnapshot, DirectoryVerificationError, verifyDirectorySnapshot } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type CallControl, controlledCall } from './call-control.ts';
import { isSdkError, SdkError } from './sdk-error.ts';

export interface FetchDirectoryOptions extends CallControl {
  /** Base URL of the registry, e.g. `http://localhost:8300`. */
  readonly registryUrl: string;
  /** The registry's public key (or key set), pinned: never fetched from the registry itself. */
  readonly registryKey: JWK | { keys: JWK[] };
  readonly fetch?: typeof globalThis.fetch;
  readonly maxAgeSeconds?: number;
}

/**
 * Fetches the registry's directory and verifies its signature against the pinned key.
 *
 * @example
 * const directory = await fetchDirectory({ registryUrl: 'http://localhost:8300', registryKey });
 * directory.organisations.length;
 */
export function fetchDirectory(options: FetchDirectoryOptions): Promise<DirectorySnapshot> {
  return controlledCall('fetchDirectory', options, options, (fetch) => directoryWith(fetch, options));
}

/** Fetches and verifies the directory with a `fetch` that is already under a call's control. */
export async function directoryWith(
  fetchImpl: typeof globalThis.fetch,
  options: Pick<FetchDirectoryOptions, 'registryUrl' | 'registryKey' | 'maxAgeSeconds'>,
): Promise<DirectorySnapshot> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('/v1/directory', options.registryUrl), { headers: { accept: 'application/jose' } });
  } catch (cause) {
    if (isSdkError(cause)) throw cause; // a timeout, naming the call
    throw new SdkError('network', `The registry at ${options.registryUrl} cannot be reached.`, undefined, { cause });
  }
  if (!res.ok) throw new SdkError('directoryUnavailable', `The registry answered ${res.status} for /v1/directory.`);
  try {
    return await verifyDirectorySnapshot(await res.text(), options.registryKey, {
      ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
    });
  } catch (cause) {
    const reason = cause instanceof DirectoryVerificationError ? cause.message : 'unknown reason';
    throw new SdkError(
      'directoryUnverified',
      `The directory does not verify against the pinned registry key: ${reason}`,
      undefined,
      {
        cause,
      },
    );
  }
}
