import { SdkError } from './sdk-error.ts';

/** How long one request of a client call may take when neither the client nor the call says: 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * What every client call takes, last: a signal that aborts it and how long each of its requests may
 * take. Given to a client, `timeoutMs` is the default of all its calls; given to a call, it overrides it.
 *
 * @example
 * const controller = new AbortController();
 * await citizen.accessLog({ from: '2026-01-01', signal: controller.signal, timeoutMs: 5_000 });
 */
export interface CallControl {
  /** Aborts the call: it rejects at once with the signal's reason (and stops its requests). */
  readonly signal?: AbortSignal;
  /**
   * How long each request of the call may take, from sending it to the answer's last byte, in
   * milliseconds (default 30 000; `Infinity` for no limit). A request that takes longer is abandoned
   * and the call fails with an `SdkError` `timeout` naming the call, the URL and the limit; where a
   * call asks several gateways (a citizen's timeline, an audit), that gateway is reported missing.
   */
  readonly timeoutMs?: number;
}

/** The defaults a client gives every call: its `fetch` and its `timeoutMs`. */
export interface CallDefaults {
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
}

function checkedTimeout(value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!(ms > 0)) {
    throw new SdkError('configuration', `timeoutMs must be a number of milliseconds above 0 (or Infinity); got ${ms}.`);
  }
  return ms;
}

/**
 * Runs one client call under its control: `body` gets the `fetch` to make every request with, each
 * bounded by the timeout and the caller's signal, and reads the answer whole within that time. An
 * aborted call rejects at once with the signal's reason, whatever `body` was waiting for. The one
 * place the sdk's calls get their timeout and signal.
 *
 * @example
 * return controlledCall('accessLog', defaults, control, async (fetch) => (await fetch(url)).json());
 */
export async function controlledCall<T>(
  name: string,
  defaults: CallDefaults,
  control: CallControl | undefined,
  body: (fetch: typeof globalThis.fetch) => Promise<T>,
): Promise<T> {
  const timeoutMs = checkedTimeout(control?.timeoutMs, checkedTimeout(defaults.timeoutMs, DEFAULT_TIMEOUT_MS));
  const signal = control?.signal;
  signal?.throwIfAborted();
  const fetchImpl = defaults.fetch ?? globalThis.fetch;

  const bounded: typeof globalThis.fetch = async (input, init) => {
    signal?.throwIfAborted();
    const timeout = Number.isFinite(timeoutMs) ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [timeout, signal, init?.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
    const url = input instanceof Request ? input.url : String(input);
    try {
      const res = await fetchImpl(input, {
        ...init,
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
      // Read whole under the same signals, so the limit covers the answer's last byte too.
      const bytes = res.status === 204 || res.status === 304 ? null : await res.arrayBuffer();
      return new Response(bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (timeout?.aborted) {
        throw new SdkError('timeout', `${name}: ${url} did not answer within ${timeoutMs} ms.`, undefined, { cause });
      }
      throw cause;
    }
  };

  if (!signal) return body(bounded);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([body(bounded), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
