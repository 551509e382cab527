import { describe, expect, it } from 'vitest';
import { createLogHealth, RECORDS_FAILURE_HOLD_MS } from './log-health.ts';

describe('log health', () => {
  it('keeps a failed batch of records against successful nonce claims for a while; records clear it at once', async () => {
    let clock = 1_000_000;
    const health = createLogHealth(
      () => {},
      () => clock,
    );
    health.failed('log', Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    expect(health.writable).toBe(false);
    // The readiness probe's claim fits on the full disk: still not writable.
    await health.track('nonces', async () => true);
    expect(health.writable).toBe(false);
    expect(health.failure?.code).toBe('SQLITE_FULL');
    clock += RECORDS_FAILURE_HOLD_MS;
    await health.track('nonces', async () => true);
    expect(health.writable).toBe(true);

    health.failed('log', new Error('disk full'));
    await health.track('log', async () => undefined);
    expect(health.writable).toBe(true);
  });

  it('a failed claim is cleared by the next claim that succeeds', () => {
    const health = createLogHealth(() => {});
    health.failed('nonces', new Error('disk full'));
    expect(health.writable).toBe(false);
    health.succeeded('nonces');
    expect(health.writable).toBe(true);
  });
});
