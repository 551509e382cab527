import type { InvalidParam } from '@poortwachter/protocol';
import { GatewayRefusal, parseDateTime } from '@poortwachter/protocol';

/**
 * Parses `from`/`to` as a half-open period [from, to) in ms. A date means the start of that day in
 * UTC for `from`, and the end of that day (start of the next) for `to`, so `to=2026-11-30` includes
 * the 30th. Bad values, a date that does not exist (2026-02-30) too, are refused naming the parameter.
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
    const parsed = parseDateTime(value);
    if (!parsed) {
      problems.push({
        name,
        code: 'date',
        reason: 'Geef een datum die bestaat (2026-11-23) of een datum en tijd (2026-11-23T14:00:00Z).',
      });
      return fallback;
    }
    return parsed.dateOnly && endOfDay ? parsed.ms + 86_400_000 : parsed.ms;
  };
  const period = { from: parse(from, names.from, false, defaults.from), to: parse(to, names.to, true, defaults.to) };
  if (problems.length === 0 && period.from >= period.to) {
    problems.push({ name: names.to, code: 'range', reason: `${names.to} ligt niet na ${names.from}.` });
  }
  if (problems.length > 0)
    throw new GatewayRefusal('invalidRequest', 'De periode is niet geldig.', { invalidParams: problems });
  return period;
}
