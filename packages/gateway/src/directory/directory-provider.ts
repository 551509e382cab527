import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DirectorySnapshot, GatewayRefusal, JOSE_JSON, verifyDirectory } from '@poortwachter/protocol';
import { parseTrustAnchors, trustDirectory } from '@poortwachter/protocol/contracts';
import type { JWK } from 'jose';
import { DirectoryIndex } from './directory-index.ts';

export interface DirectoryStatus {
  readonly serial: number | undefined;
  readonly issuedAt: string | undefined;
  readonly ageSeconds: number | undefined;
  readonly fresh: boolean;
  readonly lastError: string | undefined;
}

/** Where the gateway's decisions come from: the last good verified directory. */
export interface DirectoryProvider {
  /** The index to decide with. Throws a 503 refusal when there is none or it is too old (fail closed). */
  current(): DirectoryIndex;
  status(): DirectoryStatus;
}

export interface RegistryDirectoryOptions {
  readonly registryUrl: string;
  /** The registry's public key (or keys), pinned in configuration. */
  readonly registryKey: JWK | { keys: readonly JWK[] };
  /**
   * The certificates an organisation key must chain to (TRUST_ANCHORS_FILE): the gateway decides only
   * with keys anchored there and autorisaties of contracts those keys signed (`trustDirectory`).
   */
  readonly trustAnchors: readonly X509Certificate[];
  /**
   * Called with the registry's new key when a snapshot signed by a pinned key and the new one
   * introduces it (a key rotation); the gateway trusts it from then on. Persist it to keep trusting
   * the registry after a restart that falls after the rotation's overlap.
   */
  readonly onLearnedKeys?: (keys: readonly JWK[]) => void;
  /** How often to ask the registry for a newer serial (default 10 s). */
  readonly refreshIntervalMs?: number;
  /** Beyond this age of the last good snapshot, refuse everything (default 15 minutes). */
  readonly maxAgeSeconds?: number;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
}

/** How often the verified snapshot's trust is evaluated again: certificates, keys and contracts expire and revoke in time. */
export const TRUST_INTERVAL_MS = 60_000;

/**
 * The directory from the registry: verified against the pinned key, refreshed in the background with
 * `If-None-Match`, never rolled back to a lower serial. While the registry is unreachable the last
 * good snapshot is used, up to `maxAgeSeconds` after it was issued; after that the gateway fails closed.
 * The registry's signature only says what it published: every snapshot goes through `trustDirectory`
 * (keys anchored in the trust anchors, autorisaties only from contracts their parties signed), on every
 * new snapshot and again at least every `TRUST_INTERVAL_MS`.
 *
 * @example
 * const directory = registryDirectory({ registryUrl: 'http://localhost:8300', registryKey });
 * await directory.start();
 */
export function registryDirectory(options: RegistryDirectoryOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const maxAgeSeconds = options.maxAgeSeconds ?? 900;
  let pinned: readonly JWK[] = 'keys' in options.registryKey ? options.registryKey.keys : [options.registryKey];
  let index: DirectoryIndex | undefined;
  /** The last snapshot the registry's key verified, before trust: what each evaluation starts from. */
  let verified: DirectorySnapshot | undefined;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let trustTimer: NodeJS.Timeout | undefined;

  /** Decides with `snapshot` as trusted now (throws when trust cannot be evaluated). */
  async function trust(snapshot: DirectorySnapshot): Promise<void> {
    const trusted = await trustDirectory(snapshot, options.trustAnchors, { now: new Date(now()) });
    // A newer snapshot accepted meanwhile wins over this evaluation of an older one.
    if (verified && verified.serial > snapshot.serial) return;
    verified = snapshot;
    index = new DirectoryIndex(trusted.snapshot);
  }

  /** Also while the registry is away or the refresh is set slower: what was in force may lapse meanwhile. */
  async function reTrust(): Promise<void> {
    try {
      if (verified) await trust(verified);
    } catch (error) {
      index = undefined; // fail closed: no decision on trust that could not be evaluated again
      lastError = error instanceof Error ? error.message : String(error);
    }
  }

  const ageSeconds = () => (index ? (now() - Date.parse(index.snapshot.issued_at)) / 1000 : undefined);

  async function refresh(): Promise<void> {
    try {
      const headers: Record<string, string> = { accept: `${JOSE_JSON}, application/jose;q=0.9` };
      if (index) headers['if-none-match'] = `"${index.serial}"`;
      const res = await fetchImpl(new URL('/v1/directory', options.registryUrl), {
        headers,
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 304) {
        // Same serial: fetch the re-signed snapshot now and then so that issued_at stays fresh.
        if ((ageSeconds() ?? 0) < maxAgeSeconds / 3) {
          lastError = undefined;
          return;
        }
        delete headers['if-none-match'];
        const full = await fetchImpl(new URL('/v1/directory', options.registryUrl), {
          headers,
          signal: AbortSignal.timeout(5000),
        });
        return await accept(full);
      }
      await accept(res);
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }

  async function accept(res: Response): Promise<void> {
    if (!res.ok) throw new Error(`registry answered ${res.status}`);
    const { snapshot, learnedKeys } = await verifyDirectory(
      await res.text(),
      { keys: pinned },
      {
        ...(index ? { minSerial: index.serial } : {}),
        now: new Date(now()),
      },
    );
    if (learnedKeys.length > 0) {
      pinned = [...pinned, ...learnedKeys];
      options.onLearnedKeys?.(learnedKeys);
    }
    await trust(snapshot);
    lastError = undefined;
  }

  const provider: DirectoryProvider & {
    start(): Promise<void>;
    stop(): void;
    refresh(): Promise<void>;
    reTrust(): Promise<void>;
  } = {
    current() {
      const age = ageSeconds();
      if (!index || age === undefined || age > maxAgeSeconds) {
        throw new GatewayRefusal(
          'directoryUnavailable',
          index
            ? `De adresgids is ${Math.round(age ?? 0)} seconden oud, ouder dan ${maxAgeSeconds} seconden. De gateway weigert tot het register weer bereikbaar is.`
            : 'Er is nog geen geverifieerde adresgids. De gateway weigert tot het register bereikbaar is.',
        );
      }
      return index;
    },
    status() {
      const age = ageSeconds();
      return {
        serial: index?.serial,
        issuedAt: index?.snapshot.issued_at,
        ageSeconds: age,
        fresh: age !== undefined && age <= maxAgeSeconds,
        lastError,
      };
    },
    refresh,
    /** Evaluates trust again now (the server's timer does this every TRUST_INTERVAL_MS). */
    reTrust,
    async start() {
      await refresh();
      timer = setInterval(() => void refresh(), options.refreshIntervalMs ?? 10_000);
      timer.unref();
      trustTimer = setInterval(() => void reTrust(), TRUST_INTERVAL_MS);
      trustTimer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      if (trustTimer) clearInterval(trustTimer);
    },
  };
  return provider;
}

/** The demo CA beside the demo keys (`<keyDir>/demo-ca.pem`, made by the registry's seed), for tests and benchmarks. */
export function demoTrustAnchors(keyDir: string): X509Certificate[] {
  return parseTrustAnchors(readFileSync(join(keyDir, 'demo-ca.pem'), 'utf8'));
}
