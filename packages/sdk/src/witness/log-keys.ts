import {
  type DirectorySnapshot,
  logNoteKeys,
  NOTE_ED25519,
  NoteError,
  type NoteKey,
  noteKeyFromJwk,
  parseLogOrigin,
  REGISTRY_CHANGES_ORIGIN,
} from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { type DirectoryTrust, fetchDirectory } from '../directory-client.ts';

/** Which logs a witness knows, and the keys it verifies each log's checkpoints with. */
export interface LogKeySource {
  /** The keys trusted for `origin`'s signatures; undefined when the witness does not know that log (404). */
  keysFor(origin: string): Promise<readonly NoteKey[] | undefined>;
  /** Fetches the directory now (the first one at start, so that /readyz is true at once); never throws. */
  refresh(): Promise<void>;
  /**
   * Keeps the directory fresh in the background (every `refreshMs`, and every `unknownRefreshMs` while it
   * has none), so that requests seldom wait for the registry and /readyz turns ready without them;
   * returns the function that stops it.
   */
  watch(): () => void;
  /** Whether it can answer (it has a verified directory), and what went wrong last, for /readyz. */
  status(): LogKeyStatus;
}

export interface LogKeyStatus {
  readonly ready: boolean;
  /** When the directory it uses was fetched (ISO 8601). */
  readonly directoryFetchedAt?: string;
  readonly lastError?: string;
}

/** The directory cannot be had (never fetched, registry down): the witness answers 503, not 404. */
export class LogKeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogKeysUnavailableError';
  }
}

export interface DirectoryLogKeysOptions {
  readonly registryUrl: string;
  /** The pinned registry key (or key set): the directory's signature, and the registry change log's key. */
  readonly registryKey: JWK | { keys: readonly JWK[] };
  /** The trust step every reader takes (`trustedBy(anchors)`): only anchored keys count. */
  readonly trust?: DirectoryTrust;
  /** How old the directory may get before a request fetches it again (default 60 s). */
  readonly refreshMs?: number;
  /** For an origin whose organisation is not in it: how old it must be to fetch again at once (default 5 s). */
  readonly unknownRefreshMs?: number;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
}

/**
 * The logs a witness of this project knows, from the registry's verified directory (fetched again when
 * older than `refreshMs`): `poortwachter/log/<OIN>/<logId>` of every organisation in it, verified with
 * that organisation's active keys (Ed25519 or P-256; anchored ones, as every reader takes them), and the
 * registry's change log (`poortwachter/registry/changes`) with the pinned registry key(s) and those the
 * directory introduced during a rotation. A registry that cannot be reached leaves the last verified directory in
 * use; with none at all the witness answers 503.
 *
 * @example
 * const logKeys = directoryLogKeys({ registryUrl, registryKey, trust: trustedBy(anchors) });
 * await logKeys.keysFor('poortwachter/log/00000001234567890000/brp-inway'); // [NoteKey] or undefined
 */
export function directoryLogKeys(options: DirectoryLogKeysOptions): LogKeySource {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 60_000;
  const unknownRefreshMs = options.unknownRefreshMs ?? 5_000;
  const registryKeys: JWK[] = 'keys' in options.registryKey ? [...options.registryKey.keys] : [options.registryKey];
  let directory: { snapshot: DirectorySnapshot; at: number } | undefined;
  let lastError: string | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  function refresh(): Promise<void> {
    if (!pending) lastAttempt = now();
    pending ??= fetchDirectory({
      registryUrl: options.registryUrl,
      registryKey: registryKeys.length === 1 ? (registryKeys[0] as JWK) : { keys: registryKeys },
      onLearnedKeys: (keys) => registryKeys.push(...keys),
      ...(options.trust ? { trust: options.trust } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
      .then(
        (snapshot) => {
          directory = { snapshot, at: now() };
          lastError = undefined;
        },
        (error: unknown) => {
          lastError = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  async function snapshotNewerThan(maxAgeMs: number): Promise<DirectorySnapshot> {
    const stale = !directory || now() - directory.at >= maxAgeMs;
    // With the registry down, one attempt per `unknownRefreshMs`: requests do not each wait for it.
    if (stale && (pending || now() - lastAttempt >= unknownRefreshMs)) await refresh();
    if (!directory) throw new LogKeysUnavailableError(`No verified directory yet: ${lastError ?? 'not fetched'}`);
    return directory.snapshot;
  }

  function registryNoteKeys(): NoteKey[] {
    return registryKeys.flatMap((jwk) => {
      try {
        return [noteKeyFromJwk(REGISTRY_CHANGES_ORIGIN, NOTE_ED25519, jwk)];
      } catch (error) {
        // A registry key that is neither Ed25519 nor P-256 signs no checkpoint.
        if (error instanceof NoteError) return [];
        throw error;
      }
    });
  }

  return {
    async keysFor(origin) {
      if (origin === REGISTRY_CHANGES_ORIGIN) {
        const keys = registryNoteKeys();
        return keys.length > 0 ? keys : undefined;
      }
      const log = parseLogOrigin(origin);
      if (!log) return undefined;
      let snapshot = await snapshotNewerThan(refreshMs);
      let organisation = snapshot.organisations.find((o) => o.oin === log.oin);
      // An organisation registered since the last fetch: look again, but not on every request of a stranger.
      if (!organisation) {
        snapshot = await snapshotNewerThan(unknownRefreshMs);
        organisation = snapshot.organisations.find((o) => o.oin === log.oin);
      }
      if (!organisation) return undefined;
      return logNoteKeys(organisation, origin);
    },
    refresh,
    watch() {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const next = () => {
        if (stopped) return;
        timer = setTimeout(() => void refresh().then(next), directory ? refreshMs : unknownRefreshMs);
        timer.unref();
      };
      next();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
    status() {
      return {
        ready: directory !== undefined,
        ...(directory ? { directoryFetchedAt: new Date(directory.at).toISOString() } : {}),
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}

/** A fixed set of logs and keys (tests, or a witness configured by hand). */
export function staticLogKeys(logs: ReadonlyMap<string, readonly NoteKey[]>): LogKeySource {
  return {
    keysFor: async (origin) => logs.get(origin),
    refresh: async () => undefined,
    watch: () => () => undefined,
    status: () => ({ ready: true }),
  };
}
