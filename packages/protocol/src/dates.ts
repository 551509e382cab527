/**
 * The project's one reader of dates and times that people type: every period parameter of the
 * gateway (`van`/`tot`, `from`/`to`, `startTime`/`endTime`), of the auditor's page and of the CLI.
 * Every component is checked against the calendar: `Date.parse` would read 2026-02-30 as 2 March.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** A date or date-time as read: when it is, and whether it was a calendar date without a time. */
export interface ParsedDateTime {
  /** Milliseconds since 1970 (UTC); a calendar date is the start of that day in UTC. */
  readonly ms: number;
  /** `2026-11-30` rather than `2026-11-30T14:00:00Z`: a period's end then means the end of that day. */
  readonly dateOnly: boolean;
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The days of a month (1–12) of a year, or 0 for a month that does not exist. */
function daysInMonth(year: number, month: number): number {
  if (month < 1 || month > 12) return 0;
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The moment in UTC; `setUTCFullYear`, because `Date.UTC` reads the years 0–99 as 1900–1999. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/**
 * Reads a calendar date (`2026-11-30`) or an RFC 3339 date-time with its offset
 * (`2026-11-30T14:00Z`, `2026-11-30T14:00:00.000+01:00`); `undefined` for anything else, including a
 * day, month, hour, minute, second or offset that does not exist (2026-02-30, 2025-02-29, 2026-13-01,
 * 24:00, :60). Fractions beyond milliseconds are cut off.
 *
 * @example
 * parseDateTime('2026-11-30'); // { ms: 1795996800000, dateOnly: true }
 * parseDateTime('2026-02-30'); // undefined
 */
export function parseDateTime(value: string): ParsedDateTime | undefined {
  const date = DATE.exec(value);
  const parts = date ?? DATE_TIME.exec(value);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 9, 10].map((i) =>
    Number(parts[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  if (date) return { ms: utc(year, month, day), dateOnly: true };
  const ms = Number((parts[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = (parts[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return { ms: utc(year, month, day, hour, minute, second, ms) - offset, dateOnly: false };
}

/**
 * Whether a text is a calendar date that exists, as `2026-11-30`.
 *
 * @example
 * isCalendarDate('2024-02-29'); // true
 * isCalendarDate('2025-02-29'); // false
 */
export function isCalendarDate(value: string): boolean {
  return parseDateTime(value)?.dateOnly === true;
}

/** What is wrong with one end of a period: a date that does not exist, or an end not after the start. */
export interface PeriodProblem {
  readonly end: 'from' | 'to';
  readonly kind: 'date' | 'order';
}

/** A period as read: its ends in ms (`undefined` where not given), or what is wrong with it. */
export interface PeriodReading {
  readonly from?: number;
  readonly to?: number;
  readonly problems: readonly PeriodProblem[];
}

/**
 * The project's one rule for a period that people type (every `from`/`to`, `van`/`tot`,
 * `startTime`/`endTime` of the gateway, the auditor's page and the CLI): each end a date that exists
 * or a date-time (`parseDateTime`); the period is half-open [from, to), where a date as `to` means the
 * end of that day (`to=2026-11-30` includes the 30th, so `from` and `to` may be the same date); and the
 * end must lie after the start. An end that is not given stays `undefined` (each surface has its own
 * default) and is not compared.
 *
 * @example
 * readPeriod('2026-11-01', '2026-11-30'); // { from: …, to: (1 December, 00:00 UTC), problems: [] }
 * readPeriod('2026-12-01', '2026-11-01').problems; // [{ end: 'to', kind: 'order' }]
 * readPeriod('2026-02-30', undefined).problems; // [{ end: 'from', kind: 'date' }]
 */
export function readPeriod(from: string | undefined, to: string | undefined): PeriodReading {
  const problems: PeriodProblem[] = [];
  const read = (value: string | undefined, end: 'from' | 'to') => {
    if (value === undefined || value === '') return undefined;
    const parsed = parseDateTime(value);
    if (!parsed) problems.push({ end, kind: 'date' });
    else return parsed.dateOnly && end === 'to' ? parsed.ms + 86_400_000 : parsed.ms;
    return undefined;
  };
  const period = { from: read(from, 'from'), to: read(to, 'to') };
  if (problems.length === 0 && period.from !== undefined && period.to !== undefined && period.from >= period.to) {
    problems.push({ end: 'to', kind: 'order' });
  }
  return {
    ...(period.from === undefined ? {} : { from: period.from }),
    ...(period.to === undefined ? {} : { to: period.to }),
    problems,
  };
}
