import { uuidv7 } from '@poortwachter/protocol';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { RefusalWrite } from '../storage/tables.ts';
import type { GroupCommitter } from './group-commit.ts';

/** Where a background failure goes: the operational log, rate-limited (`failureReporter`). */
export type FailureReport = (message: string, error: unknown, fields?: Record<string, unknown>) => void;

/** A refusal as the pipeline reports it; how many it stands for is the recorder's business. */
export type Refusal = Omit<RefusalWrite, 'count'>;

export interface RefusalRecorder {
  /** Records a refusal: a caller that signed is written now; one nobody identified is counted. */
  record(refusal: Refusal): Promise<void>;
  /** Writes the counts gathered so far (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops counting and writes what was counted. */
  stop(): Promise<void>;
}

/**
 * Records refusals in the log. A refusal of a caller whose signature verified is written one by
 * one, with its details: that organisation is accountable for every request it signs. A refusal of a
 * caller nobody identified (no or a bad signature, a citizen's bad token, a body cut off) is counted
 * per reason, and each minute one row per reason holds the count: what an anonymous client can make
 * the gateway write is bounded by the number of reasons, however fast it sends, and its texts (which
 * could carry anything it sent) are not kept.
 *
 * @example
 * const refusals = createRefusalRecorder(log);
 * await refusals.record({ id, at, reason: 'signatureMissing', caller_oin: null, … });
 */
export function createRefusalRecorder(
  log: GroupCommitter<LogWrite, void>,
  options: { windowMs?: number; report?: FailureReport } = {},
): RefusalRecorder {
  const report = options.report ?? ((message, error) => console.error(`gateway: ${message}`, error));
  let counted = new Map<string, { first: Refusal; count: number }>();
  const flush = async () => {
    const batch = counted;
    counted = new Map();
    await Promise.all(
      [...batch.values()].map(({ first, count }) =>
        log.submit({
          refusal: {
            ...first,
            id: uuidv7(first.at),
            keyid: null,
            processing_activity_id: null,
            detail: 'Verzoeken zonder vastgestelde afzender, per minuut en reden geteld.',
            count,
          },
        }),
      ),
    );
  };
  const timer = setInterval(
    () => void flush().catch((error) => report('could not record counted refusals', error)),
    options.windowMs ?? 60_000,
  );
  timer.unref();
  return {
    async record(refusal) {
      if (refusal.caller_oin !== null) {
        await log.submit({ refusal: { ...refusal, count: 1 } });
        return;
      }
      const key = [refusal.service_id, refusal.reason, refusal.status, refusal.fsc_error_code].join('\n');
      const bucket = counted.get(key);
      if (bucket) bucket.count++;
      else counted.set(key, { first: refusal, count: 1 });
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
