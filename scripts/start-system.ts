/**
 * `pnpm start`: the whole system on one machine, on its embedded defaults (SQLite under ./data/,
 * seeded demo data): the registry (8300), the example BRP source (8301) and the gateway (8302).
 * Ctrl-C stops all three gracefully.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');

interface Part {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly colour: number;
}

const PARTS: Part[] = [
  { name: 'registry', entry: 'packages/registry/src/server/main.ts', port: 8300, colour: 36 },
  { name: 'source', entry: 'examples/brp-source/src/server.ts', port: 8301, colour: 35 },
  { name: 'gateway', entry: 'packages/gateway/src/server/main.ts', port: 8302, colour: 33 },
];

const children: ChildProcess[] = [];

function start(part: Part): ChildProcess {
  const prefix = `\x1b[${part.colour}m[${part.name}]\x1b[0m `;
  const child = spawn(process.execPath, [tsx, part.entry], {
    cwd: root,
    env: { ...process.env, PORT: String(part.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) stream.write(`${prefix}${line}\n`);
  };
  child.stdout?.on('data', forward(process.stdout));
  child.stderr?.on('data', forward(process.stderr));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}stopped (${signal ?? code}); stopping the rest`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

async function waitForHealth(part: Part, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://localhost:${part.port}/healthz`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${part.name} did not come up on port ${part.port}`);
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(
    children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(0) : c.on('exit', resolve)))),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const started = performance.now();
const [registry, source, gateway] = PARTS as [Part, Part, Part];
// The registry first: it writes the pinned registry key and the demo keys the others read.
start(registry);
await waitForHealth(registry);
start(source);
start(gateway);
await Promise.all([waitForHealth(source), waitForHealth(gateway)]);
const ready = await (await fetch(`http://localhost:${gateway.port}/readyz`)).json();
console.log(`
poortwachter is running (${Math.round(performance.now() - started)} ms): registry :8300, BRP source :8301, gateway :8302 (${
  (ready as { status: string }).status
})

Try, in another terminal:
  pnpm demo                                     Gemeente Utrecht queries Suzanne Moulin (999993653) through the sdk
  pnpm poortwachter query --as utrecht --bsn 999993653 --fields naam.voornamen,naam.geslachtsnaam
  pnpm poortwachter directory                   the signed directory, verified
  curl -s localhost:8302/readyz                 the gateway's readiness

Stop with Ctrl-C. State lives in ./data/ (delete it to start over).
`);
