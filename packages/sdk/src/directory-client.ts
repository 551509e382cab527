import { type DirectorySnapshot, DirectoryVerificationError, JOSE_JSON, verifyDirectory } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type CallControl, controlledCall } from './call-control.ts';
import { isSdkError, SdkError } from './sdk-error.ts';

export interface FetchDirectoryOptions extends CallControl {
  /** Base URL of the registry, e.g. `http://localhost:8300`. */
  readonly registryUrl: string;
  /** The registry's public key (or key set), pinned: never fetched from the registry itself. */
  readonly registryKey: JWK | { keys: readonly JWK[] };
  /**
   * Called with the registry's new key when the directory, signed by a pinned key and the new one,
   * introduces it (a key rotation's overlap): pin it too, or the directory stops verifying once the
   * registry retires the old key.
   */
  readonly onLearnedKeys?: (keys: readonly JWK[]) => void;
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
  options: Pick<FetchDirectoryOptions, 'registryUrl' | 'registryKey' | 'maxAgeSeconds' | 'onLearnedKeys'>,
): Promise<DirectorySnapshot> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('/v1/directory', options.registryUrl), {
      headers: { accept: `${JOSE_JSON}, application/jose;q=0.9` },
    });
  } catch (cause) {
    if (isSdkError(cause)) throw cause; // a timeout, naming the call
    throw new SdkError('network', `The registry at ${options.registryUrl} cannot be reached.`, undefined, { cause });
  }
  if (!res.ok) throw new SdkError('directoryUnavailable', `The registry answered ${res.status} for /v1/directory.`);
  try {
    const { snapshot, learnedKeys } = await verifyDirectory(await res.text(), options.registryKey, {
      ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
    });
    if (learnedKeys.length > 0) options.onLearnedKeys?.(learnedKeys);
    return snapshot;
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
