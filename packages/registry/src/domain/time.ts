import { invalidField } from '@poortwachter/protocol';

/** Normalises an ISO 8601 timestamp to UTC with milliseconds, so that text order is time order. */
export function toInstant(value: string, name: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidField(name, `${name} is geen geldige datum-tijd (ISO 8601).`, 'date');
  return date.toISOString();
}

/** A validity interval; `to` is exclusive and may be open. */
export interface Interval {
  readonly from: string;
  readonly to: string | null;
}

/** Checks that an interval is well formed (from strictly before to) and normalises both ends. */
export function toInterval(from: string | undefined, to: string | undefined | null, now: Date): Interval {
  const start = from === undefined ? now.toISOString() : toInstant(from, 'validFrom');
  const end = to === undefined || to === null ? null : toInstant(to, 'validTo');
  if (end !== null && end <= start) throw invalidField('validTo', 'validTo moet na validFrom liggen.', 'interval');
  return { from: start, to: end };
}
