import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress, Quotas, rateLimited, UNVERIFIED_REFUSALS_MS } from './quota.ts';

describe('Quotas (token buckets per caller)', () => {
  it('lets a burst through, then says how many whole seconds to wait, and refills at the rate', () => {
    let now = 0;
    const quotas = new Quotas({ requestsPerSecond: 2, burst: 3 }, { now: () => now });
    expect([1, 2, 3, 4].map(() => quotas.take('a'))).toEqual([0, 0, 0, 1]);
    expect(quotas.take('b')).toBe(0);
    now += 500;
    expect(quotas.take('a')).toBe(0);
    expect(quotas.take('a')).toBe(1);
    expect(quotas.waitFor('a')).toBe(1);
    now += 10_000;
    expect(quotas.waitFor('a')).toBe(0);
  });

  it('a slow rate waits longer than a second, and a limit of its own replaces the default', () => {
    const quotas = new Quotas({ requestsPerSecond: 0.1, burst: 1 }, { now: () => 0 });
    expect(quotas.take('a')).toBe(0);
    expect(quotas.take('a')).toBe(10);
    const big = { requestsPerSecond: 1, burst: 5 };
    expect([1, 2, 3, 4, 5, 6].map(() => quotas.take('big', big))).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('refuses a call unverified only while the key is spent and a verified call of it was refused within the window', () => {
    let now = 0;
    const quotas = new Quotas({ requestsPerSecond: 1, burst: 2 }, { now: () => now });
    expect(quotas.refusesUnverified('a')).toBe(0);
    expect([1, 2].map(() => quotas.take('a'))).toEqual([0, 0]);
    // Spent, but no verified refusal yet: the first call over the quota is verified.
    expect(quotas.refusesUnverified('a')).toBe(0);
    expect(quotas.take('a')).toBe(1);
    expect(quotas.refusesUnverified('a')).toBe(1);
    // It spends nothing: asking again and again leaves the bucket as it was.
    for (let i = 0; i < 5; i++) quotas.refusesUnverified('a');
    now += 1000;
    expect(quotas.refusesUnverified('a')).toBe(0);
    expect(quotas.take('a')).toBe(0);
    // Spent again within the window: refused unverified at once; after the window, verified again.
    expect(quotas.refusesUnverified('a')).toBe(1);
    now += UNVERIFIED_REFUSALS_MS;
    expect(quotas.take('a')).toBe(0);
    expect(quotas.take('a')).toBe(0);
    expect(quotas.refusesUnverified('a')).toBe(0);
  });

  it('a refusal of the quota carries no stack (a flood’s answer, not a fault) and leaves the stack limit as it was', () => {
    const limit = Error.stackTraceLimit;
    const refusal = rateLimited(3);
    expect(refusal.status).toBe(429);
    expect(refusal.headers['retry-after']).toBe('3');
    expect(refusal.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('holds at most maxKeys callers: full buckets go first, then all', () => {
    let now = 0;
    const quotas = new Quotas({ requestsPerSecond: 1, burst: 2 }, { now: () => now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) quotas.take(key);
    now += 5000;
    quotas.take('d');
    expect(quotas.size).toBe(1);
    for (const key of ['e', 'f']) quotas.take(key);
    quotas.take('g');
    expect(quotas.size).toBeLessThanOrEqual(3);
  });
});

describe('clientAddress', () => {
  const addressOf = async (remoteAddress: string | undefined) => {
    const app = new Hono();
    app.get('/', (c) => c.text(clientAddress(c)));
    const res = await app.request(
      '/',
      {},
      remoteAddress === undefined ? {} : { incoming: { socket: { remoteAddress } } },
    );
    return res.text();
  };

  it('is the TCP peer, an IPv6 address by its /64', async () => {
    expect(await addressOf('192.0.2.7')).toBe('192.0.2.7');
    expect(await addressOf('::ffff:192.0.2.7')).toBe('::ffff:192.0.2.7');
    expect(await addressOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(await addressOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(await addressOf('::1')).toBe('0:0:0:0::/64');
    expect(await addressOf(undefined)).toBe('unknown');
  });
});
