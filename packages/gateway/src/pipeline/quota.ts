import { GatewayRefusal } from '@poortwachter/protocol';
import type { Context } from 'hono';

/** A quota: a steady rate and the burst a caller may spend at once (a token bucket). */
export interface QuotaLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** When `take` last refused this key (ms; -Infinity: never). */
  refusedAt: number;
}

/**
 * How long after a refusal of a verified call the same caller's further calls over its quota are
 * refused before their signatures are checked (`refusesUnverified`): the refusal recorder's window, so
 * that each minute of a flood still holds a refusal whose signer is a fact.
 */
export const UNVERIFIED_REFUSALS_MS = 60_000;

/**
 * Token buckets per caller key, in this process's memory: `take` is O(1) and allocates only for a
 * key it has not seen (one small object, updated in place after that). A bucket that has refilled is
 * the same as none, so when more than `maxKeys` are held the full ones are dropped; should every one
 * still be in use (a flood from more keys than that), all are dropped: memory stays bounded, and the
 * callers start again with a full burst.
 *
 * Per process, not per deployment: with n instances (or `WORKERS=n`) a caller that spreads its
 * connections over them can get up to n times its quota (one keep-alive connection stays with one).
 *
 * @example
 * const quotas = new Quotas({ requestsPerSecond: 100, burst: 200 });
 * const wait = quotas.take(oin); // 0: go; else the whole seconds to wait
 */
export class Quotas {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(
    readonly defaults: QuotaLimit,
    options: { now?: () => number; maxKeys?: number } = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Spends one request of `key`'s quota: 0 when it may go, else the whole seconds until it may (at least 1). */
  take(key: string, limit: QuotaLimit = this.defaults): number {
    const bucket = this.#refilled(key, limit);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    bucket.refusedAt = bucket.at;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond));
  }

  /**
   * Whether a call that only names `key` (its signature not yet checked) may be refused at once: `key`
   * has spent its quota, and `take` refused it within `withinMs`. The whole seconds to wait, or 0.
   * Spends nothing, so a call that merely claims another's key cannot move that key's quota; and the
   * first call over the quota in each `withinMs` is not refused here, so it is verified and its
   * refusal (by `take`) names a signer that is a fact.
   */
  refusesUnverified(key: string, limit: QuotaLimit = this.defaults, withinMs = UNVERIFIED_REFUSALS_MS): number {
    const bucket = this.#buckets.get(key);
    if (!bucket || this.#now() - bucket.refusedAt > withinMs) return 0;
    return this.waitFor(key, limit);
  }

  /** Whether `key` has spent its quota, without spending any: the whole seconds to wait, or 0. */
  waitFor(key: string, limit: QuotaLimit = this.defaults): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(limit.burst, bucket.tokens + ((this.#now() - bucket.at) / 1000) * limit.requestsPerSecond);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / limit.requestsPerSecond));
  }

  /** How many keys are held (tests). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string, limit: QuotaLimit): Bucket {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#sweep(now, limit);
      bucket = { tokens: limit.burst, at: now, refusedAt: Number.NEGATIVE_INFINITY };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.requestsPerSecond);
    bucket.at = now;
    return bucket;
  }

  #sweep(now: number, limit: QuotaLimit) {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * limit.requestsPerSecond >= limit.burst)
        this.#buckets.delete(key);
    }
    if (this.#buckets.size >= this.#maxKeys) this.#buckets.clear();
  }
}

/** The quotas of one gateway or outway, one set of buckets per kind of caller. */
export interface CallerQuotas {
  /** Signed calls, by the OIN whose key verified (inway), or an application (outway). */
  readonly callers: Quotas;
  /** Citizen reads, by the subject of the verified token. */
  readonly citizens: Quotas;
  /** Requests nobody is identified by (the verifiable log's public reads), by client address. */
  readonly addresses: Quotas;
  /**
   * Failed verifications (a bad signature, token or API key), by client address, with the addresses'
   * limits: apart from `addresses`, so that reading the public log does not stop an address's signed calls.
   */
  readonly failures: Quotas;
}

/** Defaults of the three kinds (a server entry reads its own from its settings). */
export const DEFAULT_QUOTAS = {
  callers: { requestsPerSecond: 200, burst: 400 },
  citizens: { requestsPerSecond: 20, burst: 60 },
  addresses: { requestsPerSecond: 50, burst: 100 },
} as const satisfies Record<'callers' | 'citizens' | 'addresses', QuotaLimit>;

/** A set of quotas from limits per kind (each defaulting to `DEFAULT_QUOTAS`). */
export function callerQuotas(
  limits: Partial<Record<'callers' | 'citizens' | 'addresses', QuotaLimit>> = {},
  options: { now?: () => number } = {},
): CallerQuotas {
  return {
    callers: new Quotas(limits.callers ?? DEFAULT_QUOTAS.callers, options),
    citizens: new Quotas(limits.citizens ?? DEFAULT_QUOTAS.citizens, options),
    addresses: new Quotas(limits.addresses ?? DEFAULT_QUOTAS.addresses, options),
    failures: new Quotas(limits.addresses ?? DEFAULT_QUOTAS.addresses, options),
  };
}

/** The quota settings of a server entry's schema (`quotaSettings` in server/settings.ts). */
export interface QuotaSettings {
  readonly QUOTA_REQUESTS_PER_SECOND: number;
  readonly QUOTA_BURST: number;
  readonly QUOTA_ADDRESS_REQUESTS_PER_SECOND: number;
  readonly QUOTA_ADDRESS_BURST: number;
  readonly QUOTA_CITIZEN_REQUESTS_PER_SECOND?: number;
  readonly QUOTA_CITIZEN_BURST?: number;
}

/**
 * The quotas as a server entry's settings give them: QUOTA_REQUESTS_PER_SECOND and QUOTA_BURST for an
 * afnemer (unless its autorisatie grants another) or an application, QUOTA_CITIZEN_* per citizen (the
 * inway only), QUOTA_ADDRESS_* per client address.
 */
export function quotasFromSettings(settings: QuotaSettings): CallerQuotas {
  return callerQuotas({
    callers: { requestsPerSecond: settings.QUOTA_REQUESTS_PER_SECOND, burst: settings.QUOTA_BURST },
    citizens: {
      requestsPerSecond: settings.QUOTA_CITIZEN_REQUESTS_PER_SECOND ?? DEFAULT_QUOTAS.citizens.requestsPerSecond,
      burst: settings.QUOTA_CITIZEN_BURST ?? DEFAULT_QUOTAS.citizens.burst,
    },
    addresses: { requestsPerSecond: settings.QUOTA_ADDRESS_REQUESTS_PER_SECOND, burst: settings.QUOTA_ADDRESS_BURST },
  });
}

/**
 * The 429 of a caller over its quota, with `Retry-After` in whole seconds. Made without a stack trace:
 * it is the answer to a flood, not a fault to trace, and capturing the async stack was a tenth of a
 * refusal's CPU time (`pnpm bench:refusal`).
 */
export function rateLimited(retryAfterSeconds: number): GatewayRefusal {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GatewayRefusal(
      'rateLimited',
      `U heeft meer verzoeken gestuurd dan uw quotum toestaat. Probeer het over ${retryAfterSeconds} seconden opnieuw.`,
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Spends one request of `key`'s quota, or throws the 429. */
export function spend(quotas: Quotas, key: string, limit?: QuotaLimit): void {
  const wait = quotas.take(key, limit);
  if (wait > 0) throw rateLimited(wait);
}

/** Throws the 429 when `key` has spent its quota already (nothing is spent). */
export function refuseIfSpent(quotas: Quotas, key: string): void {
  const wait = quotas.waitFor(key);
  if (wait > 0) throw rateLimited(wait);
}

/**
 * The client's address: the TCP peer, as the Node server saw it. Behind a load balancer that is the
 * balancer's (it does not read `X-Forwarded-For`, which any client can write). An IPv6 address counts
 * by its /64, what one subscriber is given.
 */
export function clientAddress(c: Context): string {
  const address =
    (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ??
    'unknown';
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  return ipv6Prefix(address);
}

function ipv6Prefix(address: string): string {
  const [head = '', tail] = address.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined && groups.length < 4) {
    const rest = tail === '' ? [] : tail.split(':');
    const zeros = 8 - groups.length - rest.length;
    groups.push(...Array.from({ length: Math.max(zeros, 0) }, () => '0'), ...rest);
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}
