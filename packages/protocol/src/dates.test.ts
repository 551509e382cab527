import { describe, expect, it } from 'vitest';
import { CONTRACT_TIME_ZONE, calendarDateIn, dateTimeIn, isCalendarDate, parseDateTime, readPeriod } from './dates.ts';

describe('parseDateTime', () => {
  it('reads a calendar date as the start of that day in UTC', () => {
    expect(parseDateTime('2026-11-30')).toEqual({ ms: Date.UTC(2026, 10, 30), dateOnly: true });
    expect(parseDateTime('2024-02-29')).toEqual({ ms: Date.UTC(2024, 1, 29), dateOnly: true });
    expect(parseDateTime('2000-02-29')?.dateOnly).toBe(true);
    expect(parseDateTime('0099-01-01')?.ms).toBe(new Date('0099-01-01T00:00:00Z').getTime());
  });

  it('refuses a day, month or leap day that does not exist, where Date.parse rolls over', () => {
    for (const value of [
      '2026-02-30',
      '2026-02-31',
      '2025-02-29',
      '1900-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-01-00',
      '2026-01-32',
    ]) {
      expect(parseDateTime(value), value).toBeUndefined();
    }
    expect(Number.isNaN(Date.parse('2026-02-30T00:00:00Z'))).toBe(false);
  });

  it('reads a date-time with its offset, and checks its every component', () => {
    expect(parseDateTime('2026-11-30T14:00Z')).toEqual({ ms: Date.UTC(2026, 10, 30, 14), dateOnly: false });
    expect(parseDateTime('2026-11-30T14:00:05.123Z')?.ms).toBe(Date.UTC(2026, 10, 30, 14, 0, 5, 123));
    expect(parseDateTime('2026-11-30T14:00:05.1234567Z')?.ms).toBe(Date.UTC(2026, 10, 30, 14, 0, 5, 123));
    expect(parseDateTime('2026-11-30T14:00:05.5Z')?.ms).toBe(Date.UTC(2026, 10, 30, 14, 0, 5, 500));
    expect(parseDateTime('2026-11-30T15:00:00+01:00')?.ms).toBe(Date.UTC(2026, 10, 30, 14));
    expect(parseDateTime('2026-11-30T09:30:00-04:30')?.ms).toBe(Date.UTC(2026, 10, 30, 14));
    for (const value of [
      '2026-02-30T10:00:00Z',
      '2026-11-30T24:00:00Z',
      '2026-11-30T23:60:00Z',
      '2026-11-30T23:59:60Z',
      '2026-11-30T10:00:00+24:00',
      '2026-11-30T10:00:00+01:60',
      '2026-11-30T10:00:00',
      '2026-11-30 10:00:00Z',
      '2026-11-30T10Z',
    ]) {
      expect(parseDateTime(value), value).toBeUndefined();
    }
  });

  it('refuses what is not a date at all', () => {
    for (const value of [
      '',
      'yesterday',
      '01-11-2026',
      '2026-1-1',
      '20261130',
      ' 2026-11-30',
      '2026-11-30\n',
      '+002026-11-30',
      'March 7, 2026',
      '2026',
    ]) {
      expect(parseDateTime(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe('isCalendarDate', () => {
  it('is true for a date that exists, without a time', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2026-11-30T00:00:00Z')).toBe(false);
  });
});

describe('readPeriod', () => {
  const day = 86_400_000;
  it('reads a period as [from, to), a date as its end including that day', () => {
    const from = Date.UTC(2026, 10, 1);
    expect(readPeriod('2026-11-01', '2026-11-30')).toEqual({ from, to: Date.UTC(2026, 10, 30) + day, problems: [] });
    expect(readPeriod('2026-11-01', '2026-11-01')).toEqual({ from, to: from + day, problems: [] });
    expect(readPeriod('2026-11-01T10:00:00Z', '2026-11-01T11:00:00+01:00').problems).toEqual([
      { end: 'to', kind: 'order' },
    ]);
    expect(readPeriod(undefined, '')).toEqual({ problems: [] });
    expect(readPeriod('2026-11-01', undefined)).toEqual({ from, problems: [] });
  });

  it('names the end that is not a date, and an end that is not after the start', () => {
    expect(readPeriod('2026-02-30', '2026-02-31').problems).toEqual([
      { end: 'from', kind: 'date' },
      { end: 'to', kind: 'date' },
    ]);
    expect(readPeriod('2026-12-01', '2026-11-01').problems).toEqual([{ end: 'to', kind: 'order' }]);
    expect(readPeriod('2026-12-01', '2026-11-31').problems).toEqual([{ end: 'to', kind: 'date' }]);
  });
});

describe('dates in a time zone (a contract is read and shown in Amsterdam time)', () => {
  it('reads a date as the days there: --until 2027-12-31 holds through 23:59:59 in Amsterdam', () => {
    const period = readPeriod('2027-06-01', '2027-12-31', CONTRACT_TIME_ZONE);
    expect(period.from).toBe(Date.parse('2027-05-31T22:00:00Z'));
    expect(period.to).toBe(Date.parse('2027-12-31T23:00:00Z'));
    expect(dateTimeIn((period.to ?? 0) - 1000, CONTRACT_TIME_ZONE)).toBe('2027-12-31T23:59:59+01:00');
    expect(calendarDateIn((period.to ?? 0) - 1000, CONTRACT_TIME_ZONE)).toBe('2027-12-31');
    // A date-time keeps its own offset.
    expect(readPeriod(undefined, '2027-12-31T12:00:00Z', CONTRACT_TIME_ZONE).to).toBe(
      Date.parse('2027-12-31T12:00:00Z'),
    );
  });

  it('follows the clock change: the last Sunday of March has 23 hours, of October 25', () => {
    const march = readPeriod('2027-03-28', '2027-03-28', CONTRACT_TIME_ZONE);
    expect(march).toEqual({
      from: Date.parse('2027-03-27T23:00:00Z'),
      to: Date.parse('2027-03-28T22:00:00Z'),
      problems: [],
    });
    const october = readPeriod('2027-10-31', '2027-10-31', CONTRACT_TIME_ZONE);
    expect((october.to ?? 0) - (october.from ?? 0)).toBe(25 * 3_600_000);
    expect(dateTimeIn(Date.parse('2027-07-01T10:00:00.999Z'), CONTRACT_TIME_ZONE)).toBe('2027-07-01T12:00:00+02:00');
  });

  it('stays in UTC when no zone is given (the periods of the logs)', () => {
    expect(parseDateTime('2027-12-31')?.ms).toBe(Date.UTC(2027, 11, 31));
    expect(parseDateTime('2027-12-31', CONTRACT_TIME_ZONE)?.ms).toBe(Date.parse('2027-12-30T23:00:00Z'));
  });
});
