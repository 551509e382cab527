import { trace } from '@opentelemetry/api';
import { escapeControlCharacters } from '@poortwachter/protocol';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { logLevelOf } from './settings.ts';

export type { Logger } from 'pino';

/**
 * Members that must never reach a log line, wherever they sit in the logged object: secrets and the
 * person data a request may carry. The code logs none of them on purpose; this is the second line.
 */
const REDACTED = [
  'authorization',
  'token',
  'apiKey',
  'password',
  'burgerservicenummer',
  'bsn',
  '*.authorization',
  '*.token',
  '*.apiKey',
  '*.burgerservicenummer',
  '*.bsn',
  'headers["x-api-key"]',
  'headers.cookie',
];

/**
 * The operational log of one server: JSON lines on stdout (pino), one object per event, with
 * `component`, ISO `time`, `level` as a word, and the active span's `trace_id`/`span_id`, so a line
 * leads to its trace and to the access records of that trace. Never a BSN, a name, a token or a key:
 * callers log ids, reasons and counts; a request's path by its route (`requestRoute`). Control
 * characters in a message are escaped, so no text from outside can start a line of its own (the
 * members are JSON, escaped anyway). `LOG_LEVEL` sets the level (default `info`; `silent` for none; a
 * value that is not a level is `info` here, and stops the start in `startupSettings`).
 *
 * @example
 * const log = createLogger('gateway');
 * log.info({ port }, 'listening');
 */
export function createLogger(
  component: string,
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? logLevelOf(process.env),
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED, censor: '[redacted]' },
    hooks: {
      // The message and its printf arguments; objects are serialised as JSON.
      logMethod(args, method) {
        const escaped = args.map((arg) => (typeof arg === 'string' ? escapeControlCharacters(arg) : arg));
        return method.apply(this, escaped as Parameters<typeof method>);
      },
    },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span && span.traceId !== '00000000000000000000000000000000'
        ? { trace_id: span.traceId, span_id: span.spanId }
        : {};
    },
  };
  // Written synchronously: a line is out before the next statement (a fatal line before `process.exit`),
  // and when stdout breaks (the supervisor that read it was killed) the logger goes quiet. pino's
  // asynchronous default then flushes at exit in a loop that never ends, and the process never exits.
  return pino(settings, options.destination ?? pino.destination({ fd: 1, sync: true }));
}

/** What a failure reporter needs of a logger. */
type ErrorLog = Pick<Logger, 'error'>;

/**
 * Reports failures without flooding: the first failure of each kind (its code and message) in an
 * interval is logged at once, with its stack; the repeats are counted and logged as one line when the
 * interval ends (`repeated: n`). A full disk under load is then two lines per interval, not 400 000.
 *
 * @example
 * const report = failureReporter(log, 10_000);
 * report('log commit failed', error);
 */
export function failureReporter(log: ErrorLog, intervalMs = 10_000) {
  const seen = new Map<string, { message: string; code?: string; repeated: number }>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    for (const [key, entry] of seen) {
      if (entry.repeated > 0) {
        log.error(
          { code: entry.code, repeated: entry.repeated, interval_s: intervalMs / 1000 },
          `${entry.message} (again, ${entry.repeated} times)`,
        );
      }
      seen.delete(key);
    }
  };
  return function report(message: string, error: unknown, fields: Record<string, unknown> = {}): void {
    const code = (error as { code?: unknown } | undefined)?.code;
    const text = error instanceof Error ? error.message : String(error);
    const key = `${message}\u0000${String(code ?? '')}\u0000${text.split('\n')[0]}`;
    const entry = seen.get(key);
    if (entry) {
      entry.repeated++;
      return;
    }
    seen.set(key, { message, ...(typeof code === 'string' ? { code } : {}), repeated: 0 });
    log.error({ ...fields, err: error }, message);
    timer ??= setTimeout(flush, intervalMs);
    timer.unref();
  };
}
