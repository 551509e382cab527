import type { TimelineEntry } from '@poortwachter/sdk/citizen';
import { TEXTS } from './texts.ts';

/**
 * The one line on whether independent witnesses vouched for the logs' heads: the fewest cosigners of
 * any proven line's head, or a warning for the lines refused for lacking the quorum, or that the
 * directory lists no witnesses at all. Nothing when no line was checked.
 */
export function witnessLine(records: readonly TimelineEntry[]): { ok: boolean; text: string } | null {
  const unwitnessed = records.filter((r) => r.inLog?.verified === false && r.inLog.unwitnessed).length;
  if (unwitnessed > 0) return { ok: false, text: TEXTS.notWitnessed(unwitnessed) };
  const heads = records.flatMap((r) => (r.inLog?.verified ? [r.inLog.witnessed] : []));
  if (heads.length === 0) return null;
  if (heads.some((w) => w.quorum === 0)) return { ok: false, text: TEXTS.noWitnesses };
  return { ok: true, text: TEXTS.witnessed(Math.min(...heads.map((w) => w.cosigners.length))) };
}
