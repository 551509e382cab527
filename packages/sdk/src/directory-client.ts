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
  /**
   * The trust step after the registry's signature is verified: in Node `trustedBy(anchors)` (keys
   * anchored in the trust anchors only, autorisaties only from contracts their parties signed). A
   * browser has no X.509 verification (node:crypto) and leaves it out: it then reads the directory as
   * the registry signed it, which is fine for what a citizen's page shows and never for a decision.
   */
  readonly trust?: DirectoryTrust;
  readonly fetch?: typeof globalThis.fetch;
  readonly maxAgeSeconds?: number;
}

/** What makes a verified directory a trusted one (see `trustedBy`). */
export type DirectoryTrust = (snapshot: DirectorySnapshot) => Promise<DirectorySnapshot>;

/**
 * Fetches the registry's directory, verifies its signature against the pinned key and applies `trust`.
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
  options: Pick<FetchDirectoryOptions, 'registryUrl' | 'registryKey' | 'maxAgeSeconds' | 'onLearnedKeys' | 'trust'>,
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
  let verified: DirectorySnapshot;
  try {
    const { snapshot, learnedKeys } = await verifyDirectory(await res.text(), options.registryKey, {
      ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
    });
    if (learnedKeys.length > 0) options.onLearnedKeys?.(learnedKeys);
    verified = snapshot;
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
  return options.trust ? options.trust(verified) : verified;
}
