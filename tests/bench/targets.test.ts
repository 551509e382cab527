import { describe, expect, it } from 'vitest';
import {
  addedLatencyLine,
  brkLine,
  drifted,
  gatewayRatioLine,
  isolationLines,
  limitLine,
  limitOf,
  median,
  outwayLine,
  soakLines,
  spread,
  verdict,
} from '../../bench/targets.ts';

describe("the benchmarks' targets (issue 31)", () => {
  const floor = { server: 140, source: 100, load: 60 };
  const unavoidable = { verify: 75, sign: 27, append: 98 };

  it('the limit: the floor over the floor plus one verification, one signature and one append', () => {
    const limit = limitOf(floor, unavoidable);
    expect(limit.floor).toBe(300);
    expect(limit.total).toBe(500);
    expect(limit.ratio).toBeCloseTo(0.6, 10);
    expect(limit.target).toBeCloseTo(0.48, 10);
    expect(limitLine(limit, unavoidable)).toBe(
      "limit: floor 300 µs + verify 75 + sign 27 + append 98 = 500 µs per request → ratio 0.60 (the gateway's target 0.8 R = 0.48)",
    );
  });

  it('the gateway ratio against 0.35 and against 80 % of the limit, each with its status', () => {
    const limit = limitOf(floor, unavoidable);
    expect(gatewayRatioLine(0.5, limit)).toEqual({
      line: 'gateway / strict floor: 0.50 (target ≥ 0.35: MET; ≥ 0.8 × limit = 0.48: MET)',
      met: true,
    });
    expect(gatewayRatioLine(0.4, limit)).toEqual({
      line: 'gateway / strict floor: 0.40 (target ≥ 0.35: MET; ≥ 0.8 × limit = 0.48: NOT MET)',
      met: false,
    });
    expect(gatewayRatioLine(0.19, limitOf(floor, { verify: 1000, sign: 1000, append: 1000 })).line).toBe(
      'gateway / strict floor: 0.19 (target ≥ 0.35: NOT MET; ≥ 0.8 × limit = 0.07: MET)',
    );
  });

  it('added latency: p50 ≤ 2 ms and p99 ≤ 10 ms, both needed', () => {
    expect(addedLatencyLine(2, 10)).toEqual({
      line: "at half the gateway's capacity: added p50 2.00 ms ≤ 2 ms, added p99 10.00 ms ≤ 10 ms: MET",
      met: true,
    });
    expect(addedLatencyLine(2.01, 3).met).toBe(false);
    expect(addedLatencyLine(1, 10.5).met).toBe(false);
    expect(addedLatencyLine(22, 58, '544 req/s').line).toBe(
      'at 544 req/s: added p50 22.00 ms ≤ 2 ms, added p99 58.00 ms ≤ 10 ms: NOT MET',
    );
  });

  it("the outway's CPU per request at most the gateway's", () => {
    expect(outwayLine(803, 803).met).toBe(true);
    expect(outwayLine(1354, 1058)).toEqual({
      line: 'outway CPU µs per request 1354 vs gateway 1058 (target ≤): NOT MET',
      met: false,
    });
  });

  it("the BRK path within 10 % of the BRP path's CPU per request; cheaper is within", () => {
    expect(brkLine({ 'GET by id': 1110, 'BSN search': 1099 }, 1186)).toEqual({
      line: "BRK path CPU per request within 10 % of the BRP path's: GET by id -6.4 %, BSN search -7.3 %: MET",
      met: true,
    });
    expect(brkLine({ 'GET by id': 1100, 'BSN search': 1101 }, 1000).met).toBe(false);
    expect(brkLine({ 'GET by id': 1100 }, 1000).met).toBe(true);
  });

  it('a soak: RSS growth under 10 %, and drift only past both 2 ms and 50 %', () => {
    expect(drifted(4, 6.5)).toBe(true);
    expect(drifted(4, 5.9)).toBe(false); // under 2 ms more
    expect(drifted(10, 14.9)).toBe(false); // under 50 % more
    expect(drifted(10, 15.1)).toBe(true);
    expect(drifted(10, 5)).toBe(false);
    const ok = soakLines({ first: 200, last: 219 }, { first: 5, last: 6 });
    expect(ok.met).toBe(true);
    expect(ok.lines[0]).toBe(
      'RSS growth from the end of the first interval to the end: 200 → 219 MiB, 9.5 % (target < 10 %): MET',
    );
    expect(soakLines({ first: 200, last: 220 }, { first: 5, last: 6 }).met).toBe(false);
    const drift = soakLines({ first: 200, last: 200 }, { first: 5, last: 9 });
    expect(drift.met).toBe(false);
    expect(drift.lines[1]).toContain('drift, NOT MET');
  });
});

describe("the quota benchmark's verdicts (issue 27)", () => {
  it('the median of an even number of values is the mean of the middle two, not the upper one', () => {
    expect(median([448, 38])).toBe(243);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
    expect(spread([79, 39, 46])).toBe(40);
    expect(spread([5])).toBeNaN();
  });

  it('MET or NOT MET when the noise is within the target, INCONCLUSIVE when it is not, NOT MET beyond the noise', () => {
    expect(verdict(1.5, 1, 2)).toBe('MET');
    expect(verdict(2.5, 1, 2)).toBe('NOT MET');
    expect(verdict(-108, 1410, 2)).toBe('INCONCLUSIVE');
    expect(verdict(1.5, 30, 2)).toBe('INCONCLUSIVE');
    expect(verdict(173, 40, 2)).toBe('NOT MET');
    // One round: the noise is unknown.
    expect(verdict(1, Number.NaN, 2)).toBe('INCONCLUSIVE');
  });

  it('prints the flood against alone, the floor against alone and the flood against the floor', () => {
    const { lines, verdicts } = isolationLines({
      alone: [10, 11, 10.5],
      flooded: [12, 11.5, 12.5],
      floor: [11, 11.5, 10.5],
    });
    expect(verdicts).toEqual({ added: 'MET', gateway: 'MET' });
    expect(lines).toEqual([
      'B p99 alone 10.50 ms, while A floods the gateway 12.00 ms, while A floods a bare refuser 11.00 ms (medians of 3 rounds; B alone spreads 1.00 ms between rounds)',
      'added by the flood (flood − alone): +1.50 ms (target ≤ 2 ms): MET',
      "of which the machine's (floor − alone: the flood's load generator and a free refusal): +0.50 ms",
      "added by the gateway's refusal path (flood − floor): +1.00 ms (target ≤ 2 ms): MET",
    ]);
    expect(isolationLines({ alone: [79, 39, 46], flooded: [149, 359, 219], floor: [150, 300, 200] }).verdicts).toEqual({
      added: 'NOT MET',
      gateway: 'INCONCLUSIVE',
    });
  });
});
