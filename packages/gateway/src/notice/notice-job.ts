import type { Logger } from '@poortwachter/operations';
import type { Kysely } from 'kysely';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import type { FailureReport } from '../log/refusal-recorder.ts';
import { citizenRecords } from '../repositories/citizen-records.ts';
import type { GatewayDatabase } from '../storage/tables.ts';
import type { Mailer } from './mailer.ts';
import { allSubscriptions, FREQUENTIE_MS, markSeen, type SubscriptionRow } from './subscriptions.ts';

/** The subject of every notice: nothing about whom, by whom or why. */
export const NOTICE_SUBJECT = 'Er is iets nieuws over uw gegevens';

/** The whole text of every notice: where to log in, and no more. */
export const noticeText = (portalUrl: string) => `Log in op ${portalUrl} om te zien wie uw gegevens gebruikte.\n`;

/** What an inway that sends notices is configured with (`SMTP_URL`, `NOTICE_FROM`, `PORTAL_URL`). */
export interface NoticeConfig {
  readonly mailer: Mailer;
  /** The citizens' page the notice names. */
  readonly portalUrl: string;
  /** How often the job runs (default hourly); 0 never (another instance on the database does it). */
  readonly intervalMs?: number;
  /**
   * How old a record must be before the job counts it (default 60 s): a record is committed before its
   * request is answered, so one that started longer ago than any request may take is in the database,
   * and `seen_until` can move past it without skipping a record that was still on its way.
   */
  readonly settleMs?: number;
}

export interface NoticeJobOptions extends NoticeConfig {
  readonly db: Kysely<GatewayDatabase>;
  readonly directory: DirectoryProvider;
  readonly serviceId: string;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly report: FailureReport;
}

/** What one run did: subscriptions looked at, notices sent, sends that failed (tried again next run). */
export interface NoticeRun {
  readonly checked: number;
  readonly sent: number;
  readonly failed: number;
}

/**
 * The verwerkingsactiviteit of the citizen's own inzage at this service: their own look at their data is
 * no news to them.
 */
function ownInzageActivity(index: DirectoryIndex, serviceId: string): string | undefined {
  return index.services.get(serviceId)?.betrokkene?.inzageActivityId;
}

/**
 * Whether the subscriber has a record to be told of in (seen_until, bound]: theirs (by the pseudonym
 * the subscription is kept under), visible to them now (`citizenRecords`: not under an activity that
 * is confidential now), not their own inzage, and by one of the organisations they named (as the
 * processor or as its delegate).
 */
async function hasNews(
  db: Kysely<GatewayDatabase>,
  index: DirectoryIndex,
  serviceId: string,
  row: SubscriptionRow,
  bound: number,
  at: number,
): Promise<boolean> {
  let query = citizenRecords(db, index, [row.data_subject_id], at)
    .select('id')
    .where('start_time', '>', row.seen_until)
    .where('start_time', '<=', bound);
  const own = ownInzageActivity(index, serviceId);
  if (own !== undefined) query = query.where('processing_activity_id', '!=', own);
  if (row.organisaties !== null) {
    const named = JSON.parse(row.organisaties) as string[];
    query = query.where((eb) => eb.or([eb('foreign_processor', 'in', named), eb('delegate_oin', 'in', named)]));
  }
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * The notice job of an inway: every `intervalMs`, one mail to each subscriber who is due (no notice
 * within their frequentie) and has a new record to be told of. A subscription moves on only when
 * there was nothing to tell or the mail server accepted the notice; a send that failed is tried again
 * on the next run, with whatever arrived meanwhile. The operational log gets counts and error codes,
 * never an address (a mail server's error text may repeat it). `runNow(at)` runs it at once, as if at
 * `at` (tests, operators' tooling).
 *
 * @example
 * const notices = startNotices({ db, directory, serviceId, mailer, portalUrl: 'https://mijn.example.nl', report });
 * await notices.stop();
 */
export function startNotices(options: NoticeJobOptions) {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 3600 * 1000;
  const settle = options.settleMs ?? 60_000;
  const text = noticeText(options.portalUrl);
  let running: Promise<NoticeRun | undefined> | undefined;

  const run = async (at: number): Promise<NoticeRun | undefined> => {
    if (options.directory.status().serial === undefined) return undefined;
    const index = options.directory.current();
    const bound = at - settle;
    let checked = 0;
    let sent = 0;
    const failures: string[] = [];
    for await (const row of allSubscriptions(options.db)) {
      if (row.last_sent !== null && at - row.last_sent < FREQUENTIE_MS[row.frequentie]) continue;
      if (bound <= row.seen_until) continue;
      checked++;
      if (!(await hasNews(options.db, index, options.serviceId, row, bound, at))) {
        await markSeen(options.db, row, bound);
        continue;
      }
      try {
        await options.mailer.send({ to: row.email, subject: NOTICE_SUBJECT, text });
      } catch (error) {
        const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
        failures.push([code, responseCode].filter((part) => part !== undefined).join(' ') || 'unknown');
        continue;
      }
      await markSeen(options.db, row, bound, at);
      sent++;
    }
    if (sent > 0 || failures.length > 0) {
      const fields = { checked, sent, failed: failures.length, codes: [...new Set(failures)] };
      const line = `notices: ${sent} sent, ${failures.length} failed (tried again next run)`;
      if (failures.length > 0) options.logger?.warn(fields, line);
      else options.logger?.info(fields, line);
    }
    return { checked, sent, failed: failures.length };
  };
  const guarded = (at = now()) => {
    running ??= run(at).finally(() => {
      running = undefined;
    });
    return running;
  };
  const background = () =>
    void guarded().catch((error) => options.report('the notice job failed; it runs again later', error));
  const timer = interval > 0 ? setInterval(background, interval) : undefined;
  timer?.unref();
  return {
    runNow: (at?: number) => guarded(at),
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
      options.mailer.close();
    },
  };
}
