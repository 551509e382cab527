/**
 * `pnpm start`: the whole system on one machine, on its embedded defaults (SQLite under ./data/,
 * seeded demo data): the registry (8300), the example BRP source (8301), the gateway (8302), the
 * development identity provider for citizens (8303, a DigiD stand-in, not for production) and Gemeente
 * Utrecht's outway (8304) with one demo application. Ctrl-C stops all five gracefully.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_OIN } from '@poortwachter/seeds';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');

interface Part {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly colour: number;
}

// Ports are the fixed defaults of DESIGN.md; REGISTRY_PORT, SOURCE_PORT, GATEWAY_PORT, IDP_PORT and OUTWAY_PORT move them
// (the end-to-end test runs the whole system beside a running one).
const port = (name: string, fallback: number) => Number(process.env[name] || fallback);
const PARTS: Part[] = [
  { name: 'registry', entry: 'packages/registry/src/server/main.ts', port: port('REGISTRY_PORT', 8300), colour: 36 },
  { name: 'source', entry: 'examples/brp-source/src/server.ts', port: port('SOURCE_PORT', 8301), colour: 35 },
  { name: 'gateway', entry: 'packages/gateway/src/server/main.ts', port: port('GATEWAY_PORT', 8302), colour: 33 },
  { name: 'dev-idp', entry: 'examples/dev-idp/src/server.ts', port: port('IDP_PORT', 8303), colour: 32 },
  { name: 'outway', entry: 'packages/gateway/src/server/outway-main.ts', port: port('OUTWAY_PORT', 8304), colour: 34 },
];
const [registryPart, sourcePart, gatewayPart, idpPart, outwayPart] = PARTS as [Part, Part, Part, Part, Part];
const data = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : join(root, 'data');
const local = (part: Part) => `http://localhost:${part.port}`;
const ENV: Record<string, Record<string, string>> = {
  registry: {
    GATEWAY_PUBLIC_URL: process.env.GATEWAY_PUBLIC_URL || local(gatewayPart),
    IDP_PUBLIC_URL: process.env.IDP_PUBLIC_URL || local(idpPart),
  },
  source: {},
  'dev-idp': { IDP_PUBLIC_URL: process.env.IDP_PUBLIC_URL || local(idpPart) },
  gateway: { REGISTRY_URL: local(registryPart), SOURCE_URL: local(sourcePart) },
  outway: {
    REGISTRY_URL: local(registryPart),
    ORGANISATION_OIN: DEMO_OIN.utrecht,
    DATABASE_URL: process.env.OUTWAY_DATABASE_URL || `sqlite:${join(data, 'outway.db')}`,
    DEMO_APPLICATION_KEY_FILE: join(data, 'outway-api-key'),
  },
};

const children: ChildProcess[] = [];

function start(part: Part): ChildProcess {
  const prefix = `\x1b[${part.colour}m[${part.name}]\x1b[0m `;
  const child = spawn(process.execPath, [tsx, part.entry], {
    cwd: root,
    env: { ...process.env, PORT: String(part.port), ...ENV[part.name] },
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
// The registry first: it writes the pinned registry key and the demo keys the others read.
start(registryPart);
await waitForHealth(registryPart);
start(sourcePart);
start(gatewayPart);
start(idpPart);
start(outwayPart);
await Promise.all([
  waitForHealth(sourcePart),
  waitForHealth(gatewayPart),
  waitForHealth(idpPart),
  waitForHealth(outwayPart),
]);
const ready = await (await fetch(`${local(gatewayPart)}/readyz`)).json();
console.log(`
poortwachter is running (${Math.round(performance.now() - started)} ms): registry :${registryPart.port}, BRP source :${sourcePart.port}, gateway :${gatewayPart.port} (${
  (ready as { status: string }).status
}), dev identity provider :${idpPart.port} (not for production), outway of Gemeente Utrecht :${outwayPart.port}

Try, in another terminal:
  pnpm demo                                     Gemeente Utrecht queries Suzanne Moulin (999993653) through the sdk
  pnpm poortwachter query --as utrecht --bsn 999993653 --fields naam.voornamen,naam.geslachtsnaam
  pnpm poortwachter inzage --bsn 999993653 --verify   as Suzanne: who consulted her data, each record proven in the log
  pnpm poortwachter audit coverage              as the Autoriteit Persoonsgegevens: grondslag coverage and findings
  pnpm poortwachter log verify                  as the auditor: is the verifiable log consistent and unaltered?
  pnpm poortwachter directory                   the signed directory, verified
  curl -s localhost:8302/readyz                 the gateway's readiness
  curl -s localhost:${outwayPart.port}/brp-personen/personen -H "X-API-KEY: $(cat ${join(data, 'outway-api-key')})" -H 'content-type: application/json' \\
    -d '{"type":"RaadpleegMetBurgerservicenummer","burgerservicenummer":["999993653"],"fields":["naam.voornamen","naam.geslachtsnaam"]}'
                                                as Utrecht's app: the BRP API unchanged, through the outway

Stop with Ctrl-C. State lives in ./data/ (delete it to start over).
`);
