import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts, PORT_RANGE, portSlice } from './free-ports.ts';

/**
 * Test files run two at a time (vitest.config.ts's maxWorkers): a port one of them chose, closed and handed
 * to a child must not be chosen by the other, nor taken by the kernel for anyone's `listen(0)` or connection.
 */
describe('free ports for test files that run at the same time', () => {
  it('gives every vitest worker a slice of its own, outside the ports the kernel hands out', () => {
    const slices = [0, 1, 2, 3, 4, 5, 6, 7].map(portSlice);
    for (const [i, slice] of slices.entries()) {
      expect(slice.to - slice.from).toBeGreaterThanOrEqual(1000);
      expect(slice.from).toBeGreaterThanOrEqual(PORT_RANGE.from);
      // Linux's ephemeral ports start at 32768 (IANA's at 49152).
      expect(slice.to).toBeLessThanOrEqual(32_768);
      for (const other of slices.slice(i + 1)) expect(slice.to <= other.from || other.to <= slice.from).toBe(true);
    }
    expect(portSlice(9)).toEqual(portSlice(1));
  });

  it("chooses distinct ports from this worker's slice, never one it handed out before", async () => {
    const slice = portSlice(Number(process.env.VITEST_POOL_ID ?? 0));
    const first = await freePorts(20);
    const second = await freePorts(20);
    const all = [...first, ...second];
    expect(new Set(all).size).toBe(40);
    for (const port of all) expect(port >= slice.from && port < slice.to, String(port)).toBe(true);
  });

  it('skips a port that something else listens on', async () => {
    const slice = portSlice(Number(process.env.VITEST_POOL_ID ?? 0));
    // The search goes on from the last port it gave: hold the next few open, as another program would.
    const last = await freePort();
    const held: Server[] = [];
    for (let port = last + 1; port < Math.min(last + 4, slice.to); port++) {
      const server = await new Promise<Server | undefined>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(undefined));
        s.listen(port, '127.0.0.1', () => resolve(s));
      });
      if (server) held.push(server);
    }
    try {
      const port = await freePort();
      const taken = held.map((s) => (s.address() as { port: number }).port);
      expect(taken).not.toContain(port);
      expect(port).not.toBe(last);
      // Free indeed: it can be listened on.
      await new Promise<void>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
      });
    } finally {
      await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});
