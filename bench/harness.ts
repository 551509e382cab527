/**
 * What the benchmarks share: starting the servers under test as their own processes, waiting until
 * they answer, and reading their CPU time and memory from /proc (Linux).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { SOURCE_LOADER } from '../scripts/source-loader.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The throughput benchmarks measure the pipeline, not the quotas: their one load generator is one
 * afnemer, one application, one citizen and one address at thousands of requests a second, so every
 * quota is lifted unless a benchmark sets its own (`bench/quota-bench.ts`).
 */
export const NO_QUOTAS: Record<string, string> = Object.fromEntries(
  ['QUOTA', 'QUOTA_CITIZEN', 'QUOTA_ADDRESS'].flatMap((prefix) => [
    [`${prefix}_REQUESTS_PER_SECOND`, '1000000000'],
    [`${prefix}_BURST`, '1000000000'],
  ]),
);

/** Starts the servers of a benchmark (each a workspace entry with `DATA_DIR` = `data`), keeping them to stop at the end. */
export function processes(data: string) {
  const children: ChildProcess[] = [];
  return {
    children,
    start(entry: string, env: Record<string, string>, flags: string[] = []): ChildProcess {
      // `node --import tsx` rather than the tsx CLI, so that the pid is the server itself (for its RSS).
      const child = spawn(process.execPath, [...flags, ...SOURCE_LOADER, entry], {
        cwd: root,
        // The benchmarks run on the demo seed (its organisations and keys).
        env: { ...process.env, POORTWACHTER_DEMO: 'true', DATA_DIR: data, ...NO_QUOTAS, ...env },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      return child;
    },
  };
}

/** Waits until `port` answers `/healthz`, at most BENCH_START_SECONDS (90: on a loaded machine a start takes long). */
export async function healthy(
  port: number,
  timeoutSeconds = Number(process.env.BENCH_START_SECONDS ?? 90),
): Promise<void> {
  for (let i = 0; i < timeoutSeconds * 10; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing healthy on port ${port}`);
}

/** CPU time (user + system) a process (all threads) or one of its threads has used so far, in ms. */
export const cpuMs = (pid: number | undefined, tid?: number) => {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
};

/** A process and its descendants (a gateway with workers is a primary and its worker processes). */
export const processTree = (pid: number | undefined): number[] => {
  if (pid === undefined) return [];
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {}
  return [pid, ...children.flatMap(processTree)];
};
/** CPU time of a process and its descendants, and of their event loops (main threads), in ms. */
export const treeCpuMs = (pid: number | undefined) => {
  let all = 0;
  let main = 0;
  for (const p of processTree(pid)) {
    try {
      all += cpuMs(p);
      main += cpuMs(p, p);
    } catch {}
  }
  return { all, main };
};

/**
 * CPU time of each thread of a process, in ms, by thread id (Node 20 names them all `node`: the event
 * loop is the thread whose id is the pid; the others are V8's helpers (GC, compiler) and libuv's pool).
 */
export const threadCpuMs = (pid: number | undefined) => {
  const byThread: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byThread[Number(tid) === pid ? 'main' : tid] = cpuMs(pid, Number(tid));
    } catch {}
  }
  return byThread;
};

/** A memory figure of a process from /proc (`VmHWM`, `VmRSS`), in MiB. */
const statusMiB = (pid: number | undefined, field: string) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
};

/** Peak resident set size (VmHWM) of a process, in MiB. */
export const peakRss = (pid: number | undefined) => statusMiB(pid, 'VmHWM');

/** Resident set size now (VmRSS) of a process, in MiB. */
export const rss = (pid: number | undefined) => statusMiB(pid, 'VmRSS');

/** How many of these answered transactions have no access record in a log's SQLite file (nothing released unlogged). */
export async function unloggedTransactions(file: string, transactions: readonly string[]): Promise<number> {
  const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${file}`);
  const logged = new Set<string>();
  try {
    for (let i = 0; i < transactions.length; i += 500) {
      const found = await db
        .selectFrom('access_log')
        .select('transaction_id')
        .where('transaction_id', 'in', transactions.slice(i, i + 500))
        .execute();
      for (const row of found) logged.add(row.transaction_id);
    }
  } finally {
    await close();
  }
  return transactions.filter((t) => !logged.has(t)).length;
}
