import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { type Logger, STOP_MESSAGE } from '@poortwachter/operations';

/**
 * How many gateway processes serve the port: the `WORKERS` setting (a number, or `auto` for one per
 * core). Its default is one, a single process, which is what a container platform that scales by
 * replicas wants.
 */
export function workerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

/** The Merkle log id of worker `slot` (1-based) of an instance: each worker is its own log shard. */
export const workerInstanceId = (instanceId: string, slot: number) => `${instanceId}-w${slot}`;

export interface SuperviseOptions {
  readonly count: number;
  readonly instanceId: string;
  readonly log: Logger;
  /** What must happen once before any worker starts (the schema's migrations, the log key). */
  readonly prepare: () => Promise<void>;
  readonly exit?: (code: number) => void;
}

/**
 * The primary process of a gateway with several workers (node:cluster; they share the listening port,
 * the primary hands each new connection to the next worker). Each worker is a whole gateway with its
 * own Merkle log, `<INSTANCE_ID>-w<slot>`, on the one database: a slot keeps its id when its worker is
 * restarted, so the shard's tree continues. A worker that dies is restarted after a second; one that
 * dies before it listened stops the whole gateway (a setting is wrong; restarting would only loop).
 * SIGTERM and SIGINT are passed on to every worker (as a stop message), which drains as a single gateway does; the primary exits with
 * the worst of their exit codes.
 */
export async function superviseWorkers(options: SuperviseOptions): Promise<void> {
  const { count, instanceId, log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  await options.prepare();
  let stopping = false;
  let worst = 0;
  const slots = new Map<Worker, number>();
  const listening = new Set<number>();

  const start = (slot: number) => {
    const worker = cluster.fork({ INSTANCE_ID: workerInstanceId(instanceId, slot), POORTWACHTER_WORKER: String(slot) });
    slots.set(worker, slot);
    worker.on('listening', () => listening.add(slot));
  };
  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker) ?? 0;
    slots.delete(worker);
    if (stopping) {
      worst = Math.max(worst, code ?? 1);
      if (slots.size === 0) exit(worst);
      return;
    }
    if (!listening.has(slot)) {
      worst = Math.max(worst, code || 1);
      log.fatal({ worker: slot, exit_code: code, signal }, `worker ${slot} stopped before it listened: stopping`);
      stopAll('worker failed to start');
      return;
    }
    log.error({ worker: slot, exit_code: code, signal }, `worker ${slot} stopped unexpectedly; restarting it in 1 s`);
    listening.delete(slot);
    setTimeout(() => {
      if (!stopping) start(slot);
    }, 1000).unref();
  });
  const stopAll = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason, workers: slots.size }, 'stopping every worker');
    // A message, not a signal: a worker that also got the signal itself (Ctrl-C reaches the whole
    // process group, systemd signals every process) must not take this for a second signal.
    for (const worker of slots.keys()) {
      if (worker.isConnected()) worker.send(STOP_MESSAGE);
      else worker.process.kill('SIGTERM');
    }
    if (slots.size === 0) exit(worst);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(signal));
  for (let slot = 1; slot <= count; slot++) start(slot);
  log.info({ workers: count, instance_id: instanceId }, `gateway primary: ${count} workers, one Merkle log each`);
}
