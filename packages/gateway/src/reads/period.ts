import type { InvalidParam } from '@poortwachter/protocol';
import { GatewayRefusal } from '@poortwachter/protocol';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses `from`/`to` as a half-open period [from, to) in ms. A date means the start of that day in
 * UTC for `from`, and the end of that day (start of the next) for `to`, so `to=2026-11-30` includes
 * the 30th. Bad values are refused naming the parameter.
 */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  names: { from: string; to: string } = { from: 'from', to: 'to' },
  defaults: { from: number; to: number } = { from: 0, to: 8_640_000_000_000_000 },
): { from: number; to: number } {
  const problems: InvalidParam[] = [];
  const parse = (value: string | undefined, name: string, endOfDay: boolean, fallback: number) => {
    if (value === undefined || value === '') return fallback;
    const ms =
      DATE.test(value) || DATE_TIME.test(value)
        ? Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value)
        : Number.NaN;
    if (Number.isNaN(ms)) {
      problems.push({
        name,
        code: 'date',
        reason: 'Geef een datum (2026-11-23) of datum en tijd (2026-11-23T14:00:00Z).',
      });
      return fallback;
    }
    return DATE.test(value) && endOfDay ? ms + 86_400_000 : ms;
  };
  const period = { from: parse(from, names.from, false, defaults.from), to: parse(to, names.to, true, defaults.to) };
  if (problems.length === 0 && period.from >= period.to) {
    problems.push({ name: names.to, code: 'range', reason: `${names.to} ligt niet na ${names.from}.` });
  }
  if (problems.length > 0)
    throw new GatewayRefusal('invalidRequest', 'De periode is niet geldig.', { invalidParams: problems });
  return period;
}
