import { uuidv7 } from '@poortwachter/protocol';
import type { LogWrite } from '../storage/access-log-store.ts';
import type { RefusalWrite } from '../storage/tables.ts';
import type { GroupCommitter } from './group-commit.ts';

/** Where a background failure goes: the operational log, rate-limited (`failureReporter`). */
export type FailureReport = (message: string, error: unknown, fields?: Record<string, unknown>) => void;

/** A refusal as the pipeline reports it; how many it stands for is the recorder's business. */
export type Refusal = Omit<RefusalWrite, 'count'>;

export interface RefusalRecorder {
  /**
   * Records a refusal: a caller that signed is written now; one nobody identified is counted, and so
   * is every refusal of a caller over its quota after the first of a window. Says which it did.
   */
  record(refusal: Refusal): Promise<'written' | 'counted'>;
  /** Writes the counts gathered so far (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops counting and writes what was counted. */
  stop(): Promise<void>;
}

/** The one reason an identified caller's refusals are counted: a flood of them must not become a flood of rows. */
const COUNTED_WHEN_IDENTIFIED = 'rateLimited';

/**
 * Records refusals in the log. A refusal of a caller whose signature verified is written one by
 * one, with its details: that organisation is accountable for every request it signs. A refusal of a
 * caller nobody identified (no or a bad signature, a citizen's bad token, a body cut off, an address
 * over its quota) is counted per reason, and each minute one row per reason holds the count: what an
 * anonymous client can make the gateway write is bounded by the number of reasons, however fast it
 * sends, and its texts (which could carry anything it sent) are not kept. A caller over its quota is
 * identified but sends as fast as it likes: its first refusal of a minute is written at once (the log
 * shows when the throttling began), the rest are counted into one row per caller at the minute's end,
 * so that what it makes the log write is bounded by the number of organisations, not by its rate.
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
      [...batch.values()]
        .filter(({ count }) => count > 0)
        .map(({ first, count }) =>
          log.submit({
            refusal:
              first.caller_oin === null
                ? {
                    ...first,
                    id: uuidv7(first.at),
                    keyid: null,
                    processing_activity_id: null,
                    detail: 'Verzoeken zonder vastgestelde afzender, per minuut en reden geteld.',
                    count,
                  }
                : {
                    ...first,
                    id: uuidv7(first.at),
                    processing_activity_id: null,
                    detail: 'Verzoeken boven het quotum na het eerste van deze minuut, per afzender geteld.',
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
      const identified = refusal.caller_oin !== null;
      if (identified && refusal.reason !== COUNTED_WHEN_IDENTIFIED) {
        await log.submit({ refusal: { ...refusal, count: 1 } });
        return 'written';
      }
      const key = [
        refusal.service_id,
        refusal.reason,
        refusal.status,
        refusal.fsc_error_code,
        refusal.caller_oin,
        refusal.keyid,
      ].join('\n');
      const bucket = counted.get(key);
      if (bucket) {
        bucket.count++;
        return 'counted';
      }
      if (!identified) {
        counted.set(key, { first: refusal, count: 1 });
        return 'counted';
      }
      counted.set(key, { first: refusal, count: 0 });
      await log.submit({ refusal: { ...refusal, count: 1 } });
      return 'written';
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
