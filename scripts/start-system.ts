/**
 * `pnpm start`: the whole system on one machine, on its embedded defaults (SQLite under ./data/,
 * seeded demo data): the registry (8300), the example BRP source (8301), RvIG's gateway for the BRP
 * (8302), the example BRK source (8308), Kadaster's gateway for BRK bevragen (8307: the same gateway
 * entry with service id brk-bevragen, its own database ./data/brk-gateway.db, Merkle log and log key),
 * the development identity provider for citizens (8303, a DigiD stand-in, not for production), Gemeente
 * Utrecht's outway (8304) with one demo application, the citizens' page (8305) and the auditor's page
 * of the Autoriteit Persoonsgegevens (8306, `poortwachter audit serve`, on this machine only), and the
 * management pages of RvIG (8309) and Gemeente Haarlem (8310, `poortwachter beheer serve`, each its own
 * process holding that organisation's key, on this machine only), and two witnesses that cosign the
 * logs' checkpoints (8313 beside the registry, 8314 beside the Autoriteit Persoonsgegevens; the demo
 * directory lists both with quorum 2, `poortwachter witness serve`). The parts,
 * their ports (each moved by its *_PORT setting) and settings are in ./system-parts.ts. It says it runs
 * only when every part answers (the gateways and the outway ready), and names the part that did not
 * start and why. A part that stops later is started again; the others keep running. Ctrl-C stops all
 * of them gracefully: each part runs in a process group of its own, so the terminal's SIGINT reaches only
 * this supervisor, which sends each part one SIGTERM (one orderly stop: the log's last batch and tree
 * head written). Should the supervisor die without that, each part sees its IPC channel close and
 * stops the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Autorisatie, inForce, escapeControlCharacters as visible } from '@poortwachter/protocol';
import { DEMO_OIN } from '@poortwachter/seeds';
import { SOURCE_LOADER } from './source-loader.ts';
import { startHints } from './start-hints.ts';
import { BRK_SERVICE_ID, type Part, PORT_SETTINGS, systemParts } from './system-parts.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Each part is one Node process with tsx as its loader (not tsx's CLI, which would run it in a second
// process that a signal to the first does not reach), on the sources (SOURCE_LOADER).

// Read like every server's settings: a value that is not a port stops the start, naming the variable (exit 2).
const { parts, data, local } = systemParts(process.env, root, (message) => {
  console.error(`poortwachter did not start: ${message}`);
  process.exit(2);
});
const PARTS = Object.values(parts);

interface Running {
  child: ChildProcess;
  /** The last lines it wrote at warn level or above (or any stderr line), to say why it stopped. */
  lastProblem: string | undefined;
  restarts: number[];
}
const running = new Map<string, Running>();
let phase: 'starting' | 'running' | 'stopping' = 'starting';

/**
 * The parts write JSON lines (their operational log); shown here as `[part] message`, warnings and
 * errors in colour, with the fields that say why. Anything else is passed on, prefixed. Whatever comes
 * from a part is printed with its control characters escaped: a message that repeats a request's text
 * can neither start a line of its own (one that looks like another part's) nor move the cursor.
 */
function show(part: Part, line: string, stream: NodeJS.WritableStream): string | undefined {
  const prefix = `\x1b[${part.colour}m[${part.name}]\x1b[0m `;
  let entry:
    | { level?: string; msg?: string; hints?: string[]; err?: { message?: string }; cause?: unknown }
    | undefined;
  try {
    entry = line.startsWith('{') ? JSON.parse(line) : undefined;
  } catch {
    entry = undefined;
  }
  if (!entry?.msg) {
    stream.write(`${prefix}${visible(line)}\n`);
    // From a stack trace, the line that says what went wrong.
    return stream === process.stderr && /^\s*(\w*Error|Error)\b/.test(line) ? visible(line.trim()) : undefined;
  }
  const bad = entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal';
  const msg = String(entry.msg);
  const cause = entry.err?.message === undefined ? '' : String(entry.err.message);
  const text = visible(`${msg}${cause && !msg.includes(cause) ? `: ${cause}` : ''}`);
  (bad ? process.stderr : process.stdout).write(`${prefix}${bad ? `\x1b[31m${entry.level}\x1b[0m ` : ''}${text}\n`);
  for (const hint of Array.isArray(entry.hints) ? entry.hints : [])
    process.stdout.write(`${prefix}  ${visible(String(hint))}\n`);
  return bad ? text : undefined;
}

function start(part: Part): ChildProcess {
  const child = spawn(process.execPath, [...SOURCE_LOADER, part.entry, ...(part.args ?? [])], {
    cwd: root,
    env: { ...process.env, PORT: String(part.port), ...part.env },
    // Its own process group: Ctrl-C is this supervisor's to pass on, once. The IPC channel closes when
    // the supervisor dies, however it dies, and the part then stops (stopOnSignals, audit serve).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const state: Running = running.get(part.name) ?? { child, lastProblem: undefined, restarts: [] };
  state.child = child;
  running.set(part.name, state);
  const forward = (stream: NodeJS.WritableStream) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const problem = show(part, line, stream);
        if (problem) state.lastProblem = problem;
      }
    };
  };
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
  child.on('exit', (code, signal) => {
    if (phase === 'stopping') return;
    const why = `${signal ?? `exit ${code}`}${state.lastProblem ? `: ${state.lastProblem}` : ''}`;
    if (phase === 'starting') {
      console.error(`\npoortwachter did not start: ${part.name} stopped (${why})`);
      stop(1);
      return;
    }
    // Once running, one part stopping does not stop the others: it is started again, at most 3 times a minute.
    const now = Date.now();
    state.restarts = state.restarts.filter((t) => now - t < 60_000);
    if (state.restarts.length >= 3) {
      console.error(
        `[${part.name}] stopped (${why}); it stopped 3 times within a minute, so it stays down. The other parts keep running.`,
      );
      return;
    }
    state.restarts.push(now);
    console.error(`[${part.name}] stopped (${why}); the other parts keep running; starting it again`);
    state.lastProblem = undefined;
    setTimeout(() => {
      if (phase !== 'stopping') start(part);
    }, 1000);
  });
  return child;
}

/** Waits until the part answers `path` with a 2xx, or says why not: it stopped, or did not answer in time. */
async function waitForAnswer(part: Part, path = part.ready, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const child = running.get(part.name)?.child;
    if (child && child.exitCode !== null) throw new Error(`${part.name} stopped`);
    try {
      const res = await fetch(`http://localhost:${part.port}${path}`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (error) {
      last =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${part.name} is not ready on port ${part.port} after ${timeoutMs / 1000} s (${last})`);
}

/** A port another process holds: poortwachter may already run, or something else uses it. */
const portTaken = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(true))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });

/**
 * Stops every part with one SIGTERM each, says how each ended once all it wrote has been shown, and
 * exits with `code`, or 1 when a part did not stop cleanly.
 */
function stop(code: number): void {
  if (phase === 'stopping') return;
  phase = 'stopping';
  const parts = [...running.entries()];
  const ended = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  for (const [, { child }] of parts) if (!ended(child)) child.kill('SIGTERM');
  const closed = (c: ChildProcess) =>
    new Promise<void>((resolve) =>
      ended(c) && c.stdout?.readableEnded !== false ? resolve() : c.once('close', () => resolve()),
    );
  setTimeout(() => {
    const left = parts.filter(([, { child }]) => !ended(child)).map(([name]) => name);
    console.error(`poortwachter stopped without waiting longer for ${left.join(', ')}`);
    process.exit(code || 1);
  }, 25_000).unref();
  Promise.all(parts.map(([, { child }]) => closed(child))).then(() => {
    const unclean = parts
      .filter(([, { child }]) => child.exitCode !== 0)
      .map(
        ([name, { child, lastProblem }]) =>
          `${name} (${child.signalCode ?? `exit ${child.exitCode}`}${lastProblem ? `: ${lastProblem}` : ''})`,
      );
    if (unclean.length === 0)
      console.log(`poortwachter stopped: every part (${parts.map(([name]) => name).join(', ')}) stopped cleanly`);
    else console.error(`poortwachter stopped; not cleanly: ${unclean.join(', ')}`);
    process.exit(code || (unclean.length === 0 ? 0 : 1));
  });
}
/**
 * The first signal is one orderly stop; a second (Ctrl-C again) passes one on, and the parts stop at
 * once. Signals within a second of the first are that same Ctrl-C: wrappers (`npx`, `pnpm`, `tsx`)
 * pass the terminal's SIGINT on to this process, which has it from the terminal already.
 */
let firstSignalAt = 0;
function onSignal(): void {
  if (phase !== 'stopping') {
    firstSignalAt = Date.now();
    stop(0);
    return;
  }
  if (Date.now() - firstSignalAt < 1000) return;
  console.error('second signal: the parts stop now, without waiting');
  for (const { child } of running.values())
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const started = performance.now();
const taken = [];
for (const part of PARTS) if (await portTaken(part.port)) taken.push(part);
if (taken.length > 0) {
  console.error(
    `poortwachter did not start: ${taken.map((p) => `port ${p.port} (${p.name})`).join(', ')} ${taken.length === 1 ? 'is' : 'are'} in use by another process. ` +
      `Is poortwachter already running? Stop it, or move the parts with ${PORT_SETTINGS}.`,
  );
  process.exit(1);
}
try {
  // The registry first: it writes the pinned registry key and the demo keys the others read.
  start(parts.registry);
  await waitForAnswer(parts.registry);
  for (const part of PARTS) if (part !== parts.registry) start(part);
  // Ready means every part answers: the sources their health, the gateways and the outway their readiness.
  await Promise.all(PARTS.filter((part) => part !== parts.registry).map((part) => waitForAnswer(part)));
} catch (error) {
  if (phase === 'starting') {
    console.error(`\npoortwachter did not start: ${error instanceof Error ? error.message : String(error)}`);
    stop(1);
  }
  await new Promise(() => undefined);
}
phase = 'running';
const startedMs = performance.now() - started;
// Utrecht's autorisatie for the BRK as the registry holds it, for the hint's call through its outway.
const listed: unknown = await fetch(`${local('registry')}/v1/autorisaties`)
  .then((res) => res.json())
  .catch(() => []);
const autorisaties = Array.isArray(listed) ? (listed as Autorisatie[]) : [];
const now = new Date().toISOString();
const brkActivity = autorisaties.find(
  (a) => a.afnemerOin === DEMO_OIN.utrecht && a.serviceId === BRK_SERVICE_ID && inForce(a, now),
)?.processingActivityId;
console.log(startHints({ parts, data, local, root, startedMs, brk: BRK_SERVICE_ID, brkActivity }));
