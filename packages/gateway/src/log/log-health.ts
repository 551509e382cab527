import { gatewayMetrics } from '../pipeline/metrics.ts';

/** Why the log is not writable, for /readyz and the operator: what failed, since when, how often. */
export interface LogFailure {
  readonly since: string;
  /** `log` (access records and refusals) or `nonces` (the replay check's claims). */
  readonly what: 'log' | 'nonces';
  /** The error's code (`SQLITE_FULL`, `SQLITE_READONLY`, `ENOSPC`, `53100`, …) or its name. */
  readonly code: string;
  readonly message: string;
  readonly failures: number;
}

/**
 * How long a failed write of records keeps the log not writable against successful nonce claims: a claim
 * is a few bytes and may still fit on a full disk where a batch of records does not, so /readyz's probe
 * (a claim) clears a records failure only once no batch has failed for this long.
 */
export const RECORDS_FAILURE_HOLD_MS = 5_000;

/**
 * Whether the last write to the log's database succeeded. Any failed write (a batch of records, a
 * nonce claim) makes the log not writable, so /readyz says not ready and load balancers go elsewhere;
 * the next write that succeeds (a request, or the probe /readyz runs meanwhile) makes it writable again,
 * except that a claim clears a failed batch of records only `RECORDS_FAILURE_HOLD_MS` after it.
 */
export function createLogHealth(
  report: (message: string, error: unknown, fields?: Record<string, unknown>) => void,
  now: () => number = Date.now,
) {
  let failure: LogFailure | undefined;
  let recordsFailedAt = Number.NEGATIVE_INFINITY;
  const clearedBy = (what: LogFailure['what']) =>
    what === 'log' || failure?.what !== 'log' || now() - recordsFailedAt >= RECORDS_FAILURE_HOLD_MS;
  return {
    get writable() {
      return failure === undefined;
    },
    get failure() {
      return failure;
    },
    /** A write of `what` succeeded. */
    succeeded(what: LogFailure['what']) {
      if (clearedBy(what)) failure = undefined;
    },
    failed(what: LogFailure['what'], error: unknown) {
      gatewayMetrics().logFailures.add(1, { what });
      if (what === 'log') recordsFailedAt = now();
      const code = String((error as { code?: unknown })?.code ?? (error as Error)?.name ?? 'Error');
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300) ?? '';
      failure = {
        since: failure?.since ?? new Date().toISOString(),
        what,
        code,
        message,
        failures: (failure?.failures ?? 0) + 1,
      };
      report(what === 'log' ? 'log write failed' : 'nonce claim failed', error, { what });
    },
    /** Runs a write, recording its outcome. */
    async track<T>(what: LogFailure['what'], write: () => Promise<T>): Promise<T> {
      try {
        const result = await write();
        this.succeeded(what);
        return result;
      } catch (error) {
        this.failed(what, error);
        throw error;
      }
    },
  };
}

export type LogHealth = ReturnType<typeof createLogHealth>;
