import { createServer, type Server } from 'node:net';

/**
 * Where {@link freePorts} chooses: below the ports the kernel hands out by itself (Linux's ephemeral range
 * starts at 32768, IANA's, which macOS and Windows use, at 49152) and above the benchmarks' fixed ones
 * (bench/, 183xx–186xx). A port the kernel gives to a `listen(0)` or to an outgoing connection, of this run
 * or of any other process, therefore never takes a chosen port between the check and the child's bind.
 */
export const PORT_RANGE = { from: 20_000, to: 32_768 } as const;

/** Slices of the range: one per vitest worker (VITEST_POOL_ID 1…maxWorkers, modulo this), 1596 ports each. */
const SLICES = 8;

/**
 * The ports `poolId` chooses from: its own slice of {@link PORT_RANGE}, so two test files that run at the same
 * time (in two workers) never choose the same port. Outside vitest the pool id is 0.
 *
 * @example
 * portSlice(1); // { from: 21596, to: 23192 }
 */
export function portSlice(poolId: number): { readonly from: number; readonly to: number } {
  const size = Math.floor((PORT_RANGE.to - PORT_RANGE.from) / SLICES);
  const from = PORT_RANGE.from + (poolId % SLICES) * size;
  return { from, to: from + size };
}

/** Ports this process handed out already: a port closed after the check is free again, but not for this process. */
const handedOut = new Set<number>();
/** Where the next search starts in this process's slice: at random first, so two runs on one machine stay apart. */
let cursor = -1;

const listening = (port: number) =>
  new Promise<Server | undefined>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

/**
 * `count` distinct free ports on 127.0.0.1 from this worker's {@link portSlice}: all are held open together
 * while they are chosen, and none is one this process handed out before.
 *
 * @example
 * const [registry, gateway] = await freePorts(2);
 */
export async function freePorts(count: number): Promise<number[]> {
  const slice = portSlice(Number(process.env.VITEST_POOL_ID ?? 0));
  const size = slice.to - slice.from;
  if (cursor < 0) cursor = Math.floor(Math.random() * size);
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tried = 0; ports.length < count; tried++) {
      if (tried >= size) throw new Error(`no ${count} free ports left in ${slice.from}–${slice.to - 1}`);
      const port = slice.from + (cursor++ % size);
      if (handedOut.has(port)) continue;
      const server = await listening(port);
      if (!server) continue;
      servers.push(server);
      ports.push(port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
  for (const port of ports) handedOut.add(port);
  return ports;
}

/** One port of {@link freePorts}. */
export const freePort = async () => (await freePorts(1))[0] as number;
