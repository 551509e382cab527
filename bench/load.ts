import { Agent, request } from 'node:http';

export interface PreparedRequest {
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
        method: 'POST',
        agent,
        headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
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
    r.end(req.body);
  });
}

/**
 * Sends requests with `concurrency` keep-alive connections for `seconds` (or until `requests` runs
 * out, each used once), and measures each request's latency.
 */
export async function runLoad(
  port: number,
  requests: (i: number) => PreparedRequest | undefined,
  options: { concurrency: number; seconds: number },
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
      const req = requests(next++);
      if (!req) return;
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
