import type { Logger } from '@poortwachter/operations';
import type { ProcessingActivity } from '@poortwachter/protocol';
import type { Kysely } from 'kysely';
import { purgeExpired, type RetentionRun } from '../repositories/retention.ts';
import { ensureMonthPartitions } from '../storage/partitions.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import { purgeTerugmeldingen } from '../terugmelding/terugmelding-store.ts';
import type { FailureReport } from './refusal-recorder.ts';

export interface RetentionOptions {
  readonly db: Kysely<GatewayDatabase>;
  /** The processing activities of the verified directory, with every version; undefined before there is one. */
  readonly activities: () => Iterable<ProcessingActivity> | undefined;
  /** How often the purge runs (default daily); 0 never (another instance on the database does it). */
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly report: FailureReport;
}

/**
 * The log's upkeep in the background: once a minute after start and then every `intervalMs`, month
 * partitions ahead (PostgreSQL) and the retention purge. `runNow` does both at once (operators'
 * tooling, tests), optionally as if it were `at`.
 */
export function startRetention(options: RetentionOptions) {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 24 * 3600 * 1000;
  let running: Promise<RetentionRun | undefined> | undefined;
  const run = async (at = now()): Promise<RetentionRun | undefined> => {
    await ensureMonthPartitions(options.db as Kysely<unknown>, at, at);
    const activities = options.activities();
    if (!activities) return undefined;
    const result = {
      ...(await purgeExpired(options.db, activities, at)),
      terugmeldingen: await purgeTerugmeldingen(options.db, at),
    };
    if (result.terugmeldingen > 0) {
      options.logger?.info(
        { terugmeldingen: result.terugmeldingen },
        `retention: ${result.terugmeldingen} terugmelding(en) past their bewaartermijn deleted`,
      );
    }
    if (result.purged > 0 || result.unreadableTerms.length > 0) {
      options.logger?.info(
        { purged: result.purged, months_dropped: result.monthsDropped, unreadable_terms: result.unreadableTerms },
        `retention: ${result.purged} record(s) past their bewaartermijn removed from the access log`,
      );
    }
    return result;
  };
  const guarded = (at?: number) => {
    running ??= run(at).finally(() => {
      running = undefined;
    });
    return running;
  };
  const background = () =>
    void guarded().catch((error) => options.report('the retention purge failed; it runs again later', error));
  const first = interval > 0 ? setTimeout(background, 60_000) : undefined;
  const timer = interval > 0 ? setInterval(background, interval) : undefined;
  first?.unref();
  timer?.unref();
  return {
    runNow: (at?: number) => guarded(at),
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
