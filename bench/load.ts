import { Agent, request } from 'node:http';

export interface PreparedRequest {
  /** Default POST. */
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LoadResult {
  readonly completed: number;
  readonly ok: number;
  readonly errors: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  /** Fsc-Transaction-Id of every 200 response (to check the log has each one). */
  readonly okTransactions: string[];
}

function send(
  agent: Agent,
  port: number,
  req: PreparedRequest,
): Promise<{ status: number; transactionId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port,
        path: req.path,
        method: req.method ?? 'POST',
        agent,
        headers: req.method === 'GET' ? req.headers : { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            transactionId: res.headers['fsc-transaction-id'] as string | undefined,
          }),
        );
      },
    );
    r.on('error', reject);
    if (req.method === 'GET') r.end();
    else r.end(req.body);
  });
}

/**
 * Sends requests with `concurrency` keep-alive connections for `seconds` (or until `requests` runs
 * out, each used once), and measures each request's latency. With `rate`, at most that many a second
 * (request i does not start before start + i / rate): the same flood at another target.
 */
export async function runLoad(
  port: number,
  requests: (i: number) => PreparedRequest | undefined,
  options: { concurrency: number; seconds: number; rate?: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  const okTransactions: string[] = [];
  let next = 0;
  let errors = 0;
  let ok = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      const i = next++;
      const req = requests(i);
      if (!req) return;
      if (options.rate) {
        const wait = started + (i * 1000) / options.rate - performance.now();
        if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, Math.floor(wait)));
        if (performance.now() >= deadline) return;
      }
      const t0 = performance.now();
      try {
        const res = await send(agent, port, req);
        latenciesMs.push(performance.now() - t0);
        if (res.status === 200) {
          ok++;
          if (res.transactionId) okTransactions.push(res.transactionId);
        } else errors++;
      } catch {
        errors++;
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { completed: latenciesMs.length, ok, errors, seconds, latenciesMs, okTransactions };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export interface FixedRateResult {
  /** Requests the schedule called for. */
  readonly scheduled: number;
  readonly completed: number;
  readonly ok: number;
  readonly errors: number;
  /** Not sent: too many still in flight (the target is far behind), or no pre-signed request left. */
  readonly dropped: number;
  readonly seconds: number;
  /** From each request's **scheduled** send time to its answer: waiting behind a slow target counts. */
  readonly latenciesMs: number[];
  readonly okTransactions: string[];
  /** CPU time of this process (the load generator) per completed request, in µs. */
  readonly loadCpuUs: number;
}

/**
 * Opens `count` keep-alive connections on `agent` (concurrent `GET /healthz`, which every server here
 * answers), so that a load does not pay TCP handshakes and the server's accepts in its first bursts.
 */
export async function warmConnections(agent: Agent, port: number, count: number): Promise<void> {
  const healthz: PreparedRequest = { method: 'GET', path: '/healthz', headers: {}, body: '' };
  await Promise.all(Array.from({ length: count }, () => send(agent, port, healthz).catch(() => undefined)));
}

/**
 * An open-loop load at a fixed rate: request i is due at start + i / rate, whether or not earlier ones
 * were answered, and its latency is measured from when it was due, not from when it was sent (no
 * coordinated omission: a target that stalls is charged for every request that waited). It sleeps on
 * a timer between sends (never spinning: on a machine whose cores the servers share, a load generator
 * that spins on setImmediate takes the CPU the target needs), so requests due within one timer tick
 * (about 1 ms) go out together, each still timed from when it was due. `warmConnections` (default 32)
 * keep-alive connections are opened before the clock starts; more open when more are in flight. At most
 * `maxInFlight` wait at once; beyond that they are counted as dropped, which says the target cannot
 * sustain the rate.
 */
export async function runFixedRate(
  port: number,
  requests: (i: number) => PreparedRequest | undefined,
  options: { rate: number; seconds: number; maxInFlight?: number; warmConnections?: number },
): Promise<FixedRateResult> {
  const maxInFlight = options.maxInFlight ?? 4000;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  await warmConnections(agent, port, options.warmConnections ?? 32);
  const latenciesMs: number[] = [];
  const okTransactions: string[] = [];
  const pending = new Set<Promise<void>>();
  let scheduled = 0;
  let errors = 0;
  let ok = 0;
  let dropped = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const total = Math.floor(options.rate * options.seconds);
  const dueAt = (i: number) => started + (i * 1000) / options.rate;
  while (scheduled < total) {
    const now = performance.now();
    while (scheduled < total && dueAt(scheduled) <= now) {
      const due = dueAt(scheduled);
      scheduled++;
      const req = pending.size < maxInFlight ? requests(next++) : undefined;
      if (!req) {
        dropped++;
        continue;
      }
      const sent: Promise<void> = send(agent, port, req).then(
        (res) => {
          latenciesMs.push(performance.now() - due);
          if (res.status === 200) {
            ok++;
            if (res.transactionId) okTransactions.push(res.transactionId);
          } else errors++;
        },
        () => {
          latenciesMs.push(performance.now() - due);
          errors++;
        },
      );
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
    }
    const wait = scheduled < total ? dueAt(scheduled) - performance.now() : 0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(wait))));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  const loadCpuUs = (used.user + used.system) / Math.max(1, latenciesMs.length);
  return {
    scheduled,
    completed: latenciesMs.length,
    ok,
    errors,
    dropped,
    seconds,
    latenciesMs,
    okTransactions,
    loadCpuUs,
  };
}
