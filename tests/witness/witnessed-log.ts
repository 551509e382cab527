/**
 * What the witness system tests read from outside: a gateway's checkpoint (`GET /log/v1/checkpoint`, a
 * C2SP signed note) and its cosignatures, the citizen's view through `poortwachter inzage --verify` as
 * a process, and a raw `add-checkpoint` at a witness.
 */
import { runCli, runProcess } from '../run-process.ts';
import type { RunningSystem } from '../start-system.ts';

export const SUZANNE = '999993653';

/** A checkpoint note as served: its size and root, and the names of the signatures other than the log's. */
export interface ServedCheckpoint {
  readonly note: string;
  readonly origin: string;
  readonly size: number;
  readonly root: string;
  readonly cosigners: readonly string[];
}

/** Reads a signed note by hand (C2SP signed-note): text, a blank line, then "— <name> <base64>" lines. */
export function readNote(note: string): ServedCheckpoint {
  const [text = '', signatures = ''] = note.split('\n\n');
  const [origin = '', size = '', root = ''] = text.split('\n');
  const names = signatures
    .split('\n')
    .filter((line) => line.startsWith('\u2014 '))
    .map((line) => line.split(' ')[1] ?? '');
  return { note, origin, size: Number(size), root, cosigners: names.filter((name) => name !== origin) };
}

/** The gateway's current checkpoint of its own log (`/log/v1/checkpoint`), or of `logId`. */
export async function checkpointAt(url: string, logId?: string): Promise<ServedCheckpoint | undefined> {
  const res = await fetch(`${url}/log/v1/${logId ? `${encodeURIComponent(logId)}/` : ''}checkpoint`);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.status !== 200) throw new Error(`checkpoint: ${res.status} ${await res.text()}`);
  return readNote(await res.text());
}

/** Waits until the gateway serves a checkpoint of at least `size` with at least `cosigners` cosignatures. */
export async function cosigned(
  url: string,
  size: number,
  options: { cosigners?: number; timeoutMs?: number; output?: () => string } = {},
) {
  const { cosigners = 2, timeoutMs = 30_000 } = options;
  let last: ServedCheckpoint | undefined;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    last = await checkpointAt(url);
    if (last && last.size >= size && last.cosigners.length >= cosigners) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const ready = await readiness(url).catch(() => undefined);
  throw new Error(
    `no checkpoint of size ${size} with ${cosigners} cosignatures at ${url}; last: ${last?.note}\nreadyz: ${JSON.stringify(ready)}\n${options.output?.() ?? ''}`,
  );
}

/** The gateway's readiness, status and body. */
export async function readiness(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** `poortwachter inzage --bsn <Suzanne> --verify` (and `more`) as the citizen's own client, a process. */
export function inzage(system: RunningSystem, ...more: string[]) {
  return runCli(['inzage', '--bsn', SUZANNE, '--verify', ...more], {
    env: {
      DATA_DIR: system.data,
      REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}`,
      IDP_URL: `http://127.0.0.1:${system.ports.idp}`,
    },
  });
}

/** One line of `inzage --json`'s timeline, as far as these tests read it. */
export interface InzageLine {
  readonly id: string;
  readonly gateway: string;
  readonly inLog?:
    | { verified: true; logId: string; treeSize: number; witnessed: { cosigners: string[]; quorum: number } }
    | { verified: false; reason: string; unwitnessed?: { cosigned: number; quorum: number } };
}

/** `inzage --verify --json`: the lines of the gateway at `port` (by its published address). */
export async function inzageLines(system: RunningSystem, port: number) {
  const run = await inzage(system, '--json');
  const { records } = JSON.parse(run.out) as { records: InzageLine[] };
  return { run, lines: records.filter((r) => new URL(r.gateway).port === String(port)) };
}

/** The directory's witnesses as the registry publishes them (the snapshot's payload, read without checking). */
export async function directoryWitnesses(system: RunningSystem) {
  const jws = await (await fetch(`http://127.0.0.1:${system.ports.registry}/v1/directory`)).text();
  const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as {
    witnesses?: { name: string; vkey: string; url: string }[];
    witness_quorum?: number;
  };
  return { witnesses: payload.witnesses ?? [], quorum: payload.witness_quorum ?? 0 };
}

/** A raw C2SP `add-checkpoint` at a witness (`url`: its submission prefix). */
export async function addCheckpoint(url: string, oldSize: number, proof: readonly string[], note: string) {
  const res = await fetch(`${url.replace(/\/+$/, '')}/add-checkpoint`, {
    method: 'POST',
    body: `old ${oldSize}\n${proof.map((p) => `${p}\n`).join('')}\n${note}`,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The process id of the `pnpm start` part that serves `port` (its command line names `--port <port>`). */
export async function partPid(system: RunningSystem, port: number): Promise<number> {
  const { out } = await runProcess('ps', ['-o', 'pid=,args=', '--ppid', String(system.process.pid)]);
  const line = out.split('\n').find((l) => l.includes(`--port ${port}`));
  const pid = Number(line?.trim().split(/\s+/)[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0)
    throw new Error(`no part with --port ${port} under ${system.process.pid}:\n${out}`);
  return pid;
}

/**
 * Stops the witness part on `port` (SIGTERM to that one process); `pnpm start` starts it again on its
 * own state and key. Resolves once the new process answers /readyz.
 */
export async function restartWitness(system: RunningSystem, port: number): Promise<void> {
  const before = await partPid(system, port);
  process.kill(before, 'SIGTERM');
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await partPid(system, port).catch(() => undefined);
    if (now === undefined || now === before) continue;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (ready?.ok) return;
  }
  throw new Error(`the witness on port ${port} did not come back`);
}
