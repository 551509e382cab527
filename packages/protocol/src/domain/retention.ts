import { ISO_DURATION } from './vocabulary.ts';

const DURATION = new RegExp(ISO_DURATION);

/**
 * The moment before which a record's bewaartermijn (an ISO 8601 duration such as `P20Y`, `P6M`,
 * `P1Y6M`, `P30D`) has passed at `now`: a record that started before it may be purged. Years and
 * months count on the calendar (UTC), so `P1M` before 31 March is the last day of February.
 * Undefined for a term that is not a duration.
 */
export function retentionCutoff(now: number, bewaartermijn: string): number | undefined {
  const match = DURATION.exec(bewaartermijn);
  if (!match) return undefined;
  const n = (part: string | undefined) => (part ? Number.parseInt(part, 10) : 0);
  const [, y, mo, w, d, , h, mi, s] = match;
  const at = new Date(now);
  const day = at.getUTCDate();
  at.setUTCDate(1);
  at.setUTCFullYear(at.getUTCFullYear() - n(y), at.getUTCMonth() - n(mo));
  const lastDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
  at.setUTCDate(Math.min(day, lastDay));
  return at.getTime() - ((n(w) * 7 + n(d)) * 86_400 + n(h) * 3600 + n(mi) * 60 + n(s)) * 1000;
}
