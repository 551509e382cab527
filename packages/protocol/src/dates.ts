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

/** How many minutes `timeZone` is ahead of UTC at the moment `ms` (Europe/Amsterdam: 60 or 120). */
function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = utc(part('year'), part('month'), part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((wall - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
}

/** The first moment of a calendar day in `timeZone` (the day may overflow: the 32nd is the next month's 1st). */
function startOfDay(year: number, month: number, day: number, timeZone: string): number {
  const midnight = utc(year, month, day);
  if (timeZone === 'UTC') return midnight;
  // Twice: the offset that holds at the moment found, not at midnight UTC (the day a clock changes).
  const first = midnight - zoneOffsetMinutes(midnight, timeZone) * 60_000;
  return midnight - zoneOffsetMinutes(first, timeZone) * 60_000;
}

/** The parts of a date or date-time that exist, or undefined. */
function dateParts(value: string) {
  const date = DATE.exec(value);
  const parts = date ?? DATE_TIME.exec(value);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 9, 10].map((i) =>
    Number(parts[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  return { parts, dateOnly: date !== null, year, month, day, hour, minute, second, offsetHours, offsetMinutes };
}

/**
 * Reads a calendar date (`2026-11-30`) or an RFC 3339 date-time with its offset
 * (`2026-11-30T14:00Z`, `2026-11-30T14:00:00.000+01:00`); `undefined` for anything else, including a
 * day, month, hour, minute, second or offset that does not exist (2026-02-30, 2025-02-29, 2026-13-01,
 * 24:00, :60). Fractions beyond milliseconds are cut off. A calendar date is the start of that day in
 * `timeZone` (an IANA name; UTC unless given: contracts are read in `CONTRACT_TIME_ZONE`).
 *
 * @example
 * parseDateTime('2026-11-30'); // { ms: 1795996800000, dateOnly: true }
 * parseDateTime('2026-11-30', 'Europe/Amsterdam'); // { ms: 1795993200000, dateOnly: true } (23:00 UTC the day before)
 * parseDateTime('2026-02-30'); // undefined
 */
export function parseDateTime(value: string, timeZone = 'UTC'): ParsedDateTime | undefined {
  const read = dateParts(value);
  if (!read) return undefined;
  const { parts, year, month, day } = read;
  if (read.dateOnly) return { ms: startOfDay(year, month, day, timeZone), dateOnly: true };
  const ms = Number((parts[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = (parts[8] === '-' ? -1 : 1) * (read.offsetHours * 60 + read.offsetMinutes) * 60_000;
  return { ms: utc(year, month, day, read.hour, read.minute, read.second, ms) - offset, dateOnly: false };
}

/**
 * The time zone in which a contract's dates are meant and shown (the CLI's `--from`/`--until`, the
 * management page): a contract "until 2027-12-31" holds through 23:59:59 of that day in the Netherlands.
 */
export const CONTRACT_TIME_ZONE = 'Europe/Amsterdam';

/**
 * A moment as a calendar date (`2027-12-31`) in `timeZone`.
 *
 * @example
 * calendarDateIn(Date.parse('2027-12-31T22:59:59Z'), 'Europe/Amsterdam'); // '2027-12-31'
 */
export function calendarDateIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/**
 * A moment as an RFC 3339 date-time in `timeZone`, to the second and with that zone's offset then
 * (`2027-12-31T23:59:59+01:00`): what people read, and still one exact moment.
 *
 * @example
 * dateTimeIn(Date.parse('2027-12-31T22:59:59Z'), 'Europe/Amsterdam'); // '2027-12-31T23:59:59+01:00'
 */
export function dateTimeIn(ms: number, timeZone: string): string {
  const offset = zoneOffsetMinutes(ms, timeZone);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
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
 * `startTime`/`endTime` of the gateway, the auditor's page and the CLI, and a contract's validity):
 * each end a date that exists or a date-time (`parseDateTime`); the period is half-open [from, to),
 * where a date as `to` means the end of that day (`to=2026-11-30` includes the 30th, so `from` and `to`
 * may be the same date); and the end must lie after the start. Dates are days in `timeZone` (UTC unless
 * given; a contract's in `CONTRACT_TIME_ZONE`). An end that is not given stays `undefined` (each surface
 * has its own default) and is not compared.
 *
 * @example
 * readPeriod('2026-11-01', '2026-11-30'); // { from: …, to: (1 December, 00:00 UTC), problems: [] }
 * readPeriod(undefined, '2027-12-31', CONTRACT_TIME_ZONE).to; // 1 January 2028, 00:00 in Amsterdam
 * readPeriod('2026-12-01', '2026-11-01').problems; // [{ end: 'to', kind: 'order' }]
 * readPeriod('2026-02-30', undefined).problems; // [{ end: 'from', kind: 'date' }]
 */
export function readPeriod(from: string | undefined, to: string | undefined, timeZone = 'UTC'): PeriodReading {
  const problems: PeriodProblem[] = [];
  const read = (value: string | undefined, end: 'from' | 'to') => {
    if (value === undefined || value === '') return undefined;
    const parsed = parseDateTime(value, timeZone);
    const day = dateParts(value);
    if (!parsed || !day) problems.push({ end, kind: 'date' });
    // The end of a day is the start of the next one there (a day in a zone with summer time may have 23 or 25 hours).
    else return parsed.dateOnly && end === 'to' ? startOfDay(day.year, day.month, day.day + 1, timeZone) : parsed.ms;
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
