import type { InvalidParam } from '@poortwachter/protocol';
import { GatewayRefusal, readPeriod } from '@poortwachter/protocol';

/** The names a read gives the two ends of its period. */
export interface PeriodNames {
  readonly from: string;
  readonly to: string;
}

const DATE_REASON = 'Geef een datum die bestaat, of een datum en tijd met tijdzone.';

/**
 * A read's period parameters by the project's one period rule (`readPeriod`): the ends given, in ms
 * (`undefined` where not given), and every problem as an invalid parameter naming its end: a date that
 * does not exist (2026-02-30 is never 2 March) is `date`, an end not after the start is `range`.
 *
 * @example
 * periodParams(body.startTime, body.endTime, { from: 'startTime', to: 'endTime' });
 */
export function periodParams(
  from: string | undefined,
  to: string | undefined,
  names: PeriodNames,
): { from?: number; to?: number; problems: InvalidParam[] } {
  const reading = readPeriod(from, to);
  return {
    ...(reading.from === undefined ? {} : { from: reading.from }),
    ...(reading.to === undefined ? {} : { to: reading.to }),
    problems: reading.problems.map(({ end, kind }) =>
      kind === 'date'
        ? { name: names[end], code: 'date', reason: DATE_REASON }
        : { name: names.to, code: 'range', reason: `${names.to} ligt niet na ${names.from}.` },
    ),
  };
}

/** The detail of a refusal of a period with these problems. */
export const periodDetail = (problems: readonly InvalidParam[]) =>
  problems.some((p) => p.code === 'date')
    ? 'Een datum van de periode bestaat niet. Schrijf een datum als 2026-11-23, of een datum en tijd met tijdzone volgens RFC 3339.'
    : 'Het einde van de periode ligt niet na het begin.';

/**
 * Parses `from`/`to` as a half-open period [from, to) in ms (`readPeriod`: a date as `to` includes that
 * day, so `to=2026-11-30` includes the 30th). Bad values, a date that does not exist (2026-02-30) too,
 * and an end that is not after the start are refused naming the parameter.
 */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  names: PeriodNames = { from: 'from', to: 'to' },
  defaults: { from: number; to: number } = { from: 0, to: 8_640_000_000_000_000 },
): { from: number; to: number } {
  const period = periodParams(from, to, names);
  const ends = { from: period.from ?? defaults.from, to: period.to ?? defaults.to };
  const problems =
    period.problems.length === 0 && ends.from >= ends.to
      ? [{ name: names.to, code: 'range', reason: `${names.to} ligt niet na ${names.from}.` }]
      : period.problems;
  if (problems.length > 0) {
    throw new GatewayRefusal('invalidRequest', periodDetail(problems), { invalidParams: problems });
  }
  return ends;
}
