/**
 * The arithmetic of the benchmarks' targets (issue 31), apart from the measuring so that it is tested:
 * the physical limit of the gateway's throughput against its strict floor, and each target's line with
 * its status. Every figure is CPU time per request in µs, or a latency in ms.
 */

export type Status = 'MET' | 'NOT MET';
export const status = (met: boolean): Status => (met ? 'MET' : 'NOT MET');

/** The issue's absolute target for gateway / strict floor. */
export const GATEWAY_RATIO_TARGET = 0.35;
/** The share of the limit the gateway must reach. */
export const SHARE_OF_LIMIT = 0.8;
/** At half the gateway's own capacity, what it may add to the floor's latency. */
export const ADDED_LATENCY_TARGET_MS = { p50: 2, p99: 10 } as const;
/** How far the BRK path's CPU per request may be above the BRP path's. */
export const BRK_MARGIN = 0.1;
/** A soak's RSS growth from the end of its first interval to its end. */
export const SOAK_RSS_GROWTH = 0.1;
/** A soak's p99 drifts when its last interval's exceeds its first's by more than both of these. */
export const SOAK_DRIFT = { ms: 2, fraction: 0.5 } as const;

/** What the strict floor costs per request (its server, the source behind it, the load generator). */
export interface FloorCpu {
  readonly server: number;
  readonly source: number;
  readonly load: number;
}

/** What the gateway cannot avoid on top of the floor: one verification, one signature, one durable append. */
export interface UnavoidableCpu {
  readonly verify: number;
  readonly sign: number;
  readonly append: number;
}

export interface Limit {
  /** The floor's CPU per request, all of it (server + source + load). */
  readonly floor: number;
  /** The floor's plus the unavoidable work. */
  readonly total: number;
  /** The highest gateway / strict floor throughput ratio this machine allows: floor / total. */
  readonly ratio: number;
  /** The gateway's target: SHARE_OF_LIMIT of that ratio. */
  readonly target: number;
}

/**
 * On a saturated machine throughput goes as 1 / (CPU per request), so the gateway's best ratio to its
 * floor is the floor's CPU per request over the floor's plus what the gateway cannot avoid.
 *
 * @example
 * limitOf({ server: 140, source: 100, load: 60 }, { verify: 75, sign: 27, append: 100 }).ratio; // 300 / 502 ≈ 0.60
 */
export function limitOf(floor: FloorCpu, unavoidable: UnavoidableCpu): Limit {
  const floorTotal = floor.server + floor.source + floor.load;
  const total = floorTotal + unavoidable.verify + unavoidable.sign + unavoidable.append;
  const ratio = total > 0 ? floorTotal / total : Number.NaN;
  return { floor: floorTotal, total, ratio, target: SHARE_OF_LIMIT * ratio };
}

const us = (n: number) => n.toFixed(0);
const r2 = (n: number) => n.toFixed(2);
const ms = (n: number) => n.toFixed(2);

/** `limit: floor X µs + verify V + sign S + append A = L µs per request → ratio R (the gateway's target 0.8 R = T)` */
export function limitLine(limit: Limit, unavoidable: UnavoidableCpu): string {
  return (
    `limit: floor ${us(limit.floor)} µs + verify ${us(unavoidable.verify)} + sign ${us(unavoidable.sign)} + append ${us(unavoidable.append)}` +
    ` = ${us(limit.total)} µs per request → ratio ${r2(limit.ratio)} (the gateway's target ${SHARE_OF_LIMIT} R = ${r2(limit.target)})`
  );
}

/** The gateway's ratio against the issue's absolute target and against its share of the limit. */
export function gatewayRatioLine(ratio: number, limit: Limit): { line: string; met: boolean } {
  const absolute = ratio >= GATEWAY_RATIO_TARGET;
  const ofLimit = ratio >= limit.target;
  return {
    line:
      `gateway / strict floor: ${r2(ratio)} (target ≥ ${GATEWAY_RATIO_TARGET}: ${status(absolute)}; ` +
      `≥ ${SHARE_OF_LIMIT} × limit = ${r2(limit.target)}: ${status(ofLimit)})`,
    met: absolute && ofLimit,
  };
}

/** What the gateway adds to the floor's latency at half its own capacity, against the targets. */
export function addedLatencyLine(
  addedP50: number,
  addedP99: number,
  at = "half the gateway's capacity",
): { line: string; met: boolean } {
  const met = addedP50 <= ADDED_LATENCY_TARGET_MS.p50 && addedP99 <= ADDED_LATENCY_TARGET_MS.p99;
  return {
    line: `at ${at}: added p50 ${ms(addedP50)} ms ≤ ${ADDED_LATENCY_TARGET_MS.p50} ms, added p99 ${ms(addedP99)} ms ≤ ${ADDED_LATENCY_TARGET_MS.p99} ms: ${status(met)}`,
    met,
  };
}

/** The outway's server CPU per request against the gateway's in the same run. */
export function outwayLine(outway: number, gateway: number): { line: string; met: boolean } {
  const met = outway <= gateway;
  return { line: `outway CPU µs per request ${us(outway)} vs gateway ${us(gateway)} (target ≤): ${status(met)}`, met };
}

/** How much more (negative: less) the BRK path costs per request than the BRP path, in %. */
export const excessPercent = (brk: number, brp: number) => (brk / brp - 1) * 100;

/** The BRK path's CPU per request against the BRP path's (at most BRK_MARGIN above it). */
export function brkLine(paths: Readonly<Record<string, number>>, brp: number): { line: string; met: boolean } {
  const parts = Object.entries(paths).map(([name, brk]) => ({ name, brk, excess: excessPercent(brk, brp) }));
  const met = parts.every((p) => p.brk <= brp * (1 + BRK_MARGIN));
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`;
  return {
    line: `BRK path CPU per request within ${BRK_MARGIN * 100} % of the BRP path's: ${parts.map((p) => `${p.name} ${signed(p.excess)}`).join(', ')}: ${status(met)}`,
    met,
  };
}

/** RSS growth of a soak, from the end of its first interval to its end, as a fraction. */
export const growth = (first: number, last: number) => (last - first) / first;

/** Whether a soak's p99 drifted: the last interval's above the first's by more than SOAK_DRIFT's ms and fraction. */
export const drifted = (firstP99: number, lastP99: number) =>
  lastP99 - firstP99 > SOAK_DRIFT.ms && lastP99 > firstP99 * (1 + SOAK_DRIFT.fraction);

/** The soak's two verdicts. */
export function soakLines(
  rss: { first: number; last: number },
  p99: { first: number; last: number },
): { lines: string[]; met: boolean } {
  const g = growth(rss.first, rss.last);
  const rssMet = g < SOAK_RSS_GROWTH;
  const drift = drifted(p99.first, p99.last);
  return {
    lines: [
      `RSS growth from the end of the first interval to the end: ${rss.first.toFixed(0)} → ${rss.last.toFixed(0)} MiB, ${(g * 100).toFixed(1)} % (target < ${SOAK_RSS_GROWTH * 100} %): ${status(rssMet)}`,
      `p99 drift, last interval against the first: ${ms(p99.first)} → ${ms(p99.last)} ms (drift: more than ${SOAK_DRIFT.ms} ms and more than ${SOAK_DRIFT.fraction * 100} % higher): ${drift ? 'drift, NOT MET' : 'no drift, MET'}`,
    ],
    met: rssMet && !drift,
  };
}

/** The middle of the values: the mean of the two middle ones when their number is even. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** How far apart the values lie: the largest minus the smallest (unknown, NaN, from fewer than two). */
export const spread = (values: readonly number[]) =>
  values.length < 2 ? Number.NaN : Math.max(...values) - Math.min(...values);

/** How much one afnemer's flood may move another afnemer's p99 (issue 27). */
export const QUOTA_ISOLATION_TARGET_MS = 2;

export type Verdict = Status | 'INCONCLUSIVE';

/**
 * A latency difference against a target, given the noise the run itself showed (the spread of the
 * quiet measurement between rounds; unknown after one round: INCONCLUSIVE). When the noise exceeds
 * the target the run cannot tell a difference within the target from none: INCONCLUSIVE, unless the
 * difference exceeds the target by more than the noise too (NOT MET whatever the noise).
 *
 * @example
 * verdict(1.2, 0.8, 2); // 'MET'
 * verdict(1.2, 30, 2); // 'INCONCLUSIVE'
 * verdict(173, 30, 2); // 'NOT MET'
 */
export function verdict(difference: number, noise: number, target: number): Verdict {
  if (!Number.isFinite(difference) || !Number.isFinite(noise)) return 'INCONCLUSIVE';
  if (difference - noise > target) return 'NOT MET';
  if (noise > target) return 'INCONCLUSIVE';
  return status(difference <= target);
}

/** B's p99 per round in each phase of the quota benchmark, in ms. */
export interface IsolationRounds {
  /** B alone. */
  readonly alone: readonly number[];
  /** B while A floods the gateway (nearly every call refused over its quota). */
  readonly flooded: readonly number[];
  /** B while the same flood goes to a bare server that refuses at once: the load generator's share. */
  readonly floor: readonly number[];
}

/**
 * The quota benchmark's verdicts: what the flood adds to B's p99 (the flood against alone), what of
 * it the machine's share is (the floor against alone: the flood's own load generator and a refusal
 * that costs nothing), and what the gateway's refusal path adds (the flood against the floor), each
 * against the target with the noise of B alone between rounds.
 */
export function isolationLines(
  rounds: IsolationRounds,
  target = QUOTA_ISOLATION_TARGET_MS,
): { lines: string[]; verdicts: { added: Verdict; gateway: Verdict } } {
  const alone = median(rounds.alone);
  const flooded = median(rounds.flooded);
  const floor = median(rounds.floor);
  const noise = spread(rounds.alone);
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${ms(n)} ms`;
  const added = verdict(flooded - alone, noise, target);
  const gateway = verdict(flooded - floor, noise, target);
  return {
    lines: [
      `B p99 alone ${ms(alone)} ms, while A floods the gateway ${ms(flooded)} ms, while A floods a bare refuser ${ms(floor)} ms (medians of ${rounds.alone.length} rounds; B alone spreads ${ms(noise)} ms between rounds)`,
      `added by the flood (flood − alone): ${signed(flooded - alone)} (target ≤ ${target} ms): ${added}`,
      `of which the machine's (floor − alone: the flood's load generator and a free refusal): ${signed(floor - alone)}`,
      `added by the gateway's refusal path (flood − floor): ${signed(flooded - floor)} (target ≤ ${target} ms): ${gateway}`,
    ],
    verdicts: { added, gateway },
  };
}
