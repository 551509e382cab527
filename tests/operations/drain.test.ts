import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJwk } from '../adversarial/raw-client.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { gatewayInstanceEnv, querySuzanne, runEntry, startEntry } from './server-entry.ts';

/** A gateway of its own (the server entry, beside `pnpm start`'s), on a free port and its own database. */
async function startGateway(system: RunningSystem, drainSeconds: number) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-drain-'));
  const gateway = await startEntry('packages/gateway/src/server/main.ts', {
    ...gatewayInstanceEnv(system, { port, database: join(dir, 'gateway.db'), instanceId: 'drain-test' }),
    DRAIN_TIMEOUT_SECONDS: String(drainSeconds),
  });
  return {
    port,
    output: gateway.output,
    async stop() {
      const stopped = await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
      return stopped;
    },
  };
}

/**
 * SIGTERM while clients keep their keep-alive connections busy: the gateway stops accepting, answers
 * what is in flight with `Connection: close`, and exits 0 within its drain time; a request that is
 * still running at the deadline is cut and the exit is 1, with the reason in the log.
 */
describe('graceful stop under keep-alive load (the gateway server entry)', () => {
  let system: RunningSystem;
  let key: RawJwk;

  beforeAll(async () => {
    system = await startSystem();
    key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('drains busy keep-alive connections with Connection: close and exits 0 in time', async () => {
    const gw = await startGateway(system, 5);
    // As the directory publishes the service: this gateway is a second instance of it.
    const query = () => querySuzanne(`http://127.0.0.1:${gw.port}`, system.ports.gateway, key);
    let stopping = false;
    const seen = { ok: 0, other: 0, closeAfterStop: 0, refusedConnections: 0 };
    // Eight clients, each on its own kept-alive connection, sending back to back until the gateway is gone.
    const clients = Array.from({ length: 8 }, async () => {
      for (;;) {
        try {
          const res = await query();
          await res.arrayBuffer();
          if (res.status === 200) seen.ok++;
          else seen.other++;
          if (stopping && res.headers.get('connection') === 'close') seen.closeAfterStop++;
        } catch {
          if (!stopping) throw new Error('a request failed before the stop');
          seen.refusedConnections++;
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stopping = true;
    const { code, ms } = await gw.stop();
    await Promise.all(clients);
    console.log(`SIGTERM under load: exit ${code} after ${ms} ms; ${JSON.stringify(seen)}`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.other).toBe(0);
    expect(seen.closeAfterStop).toBeGreaterThan(0);
    expect(gw.output()).toMatch(/"msg":"stopped"/);
  }, 60_000);

  it('cuts a request still running at the drain deadline and exits 1, saying why', async () => {
    const gw = await startGateway(system, 1);
    // A request whose body never finishes: in flight until the deadline.
    const socket = connect({ host: '127.0.0.1', port: gw.port });
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(
      `POST /personen HTTP/1.1\r\nHost: localhost:${gw.port}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"type":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { code, ms } = await gw.stop();
    expect(code).toBe(1);
    expect(ms).toBeLessThan(4000);
    expect(gw.output()).toContain('still running after 1000 ms');
    socket.destroy();
  }, 60_000);

  it('names the real cause at start-up: a registry it cannot reach (and retries), a port already in use', async () => {
    const run = (env: Record<string, string>) =>
      runEntry('packages/gateway/src/server/main.ts', {
        DATA_DIR: system.data,
        SOURCE_URL: `http://localhost:${system.ports.source}`,
        ...env,
      });
    const closedPort = await freePort();
    const waiting = run({ PORT: String(await freePort()), REGISTRY_URL: `http://127.0.0.1:${closedPort}` });
    for (let i = 0; i < 100 && !waiting.output().includes('retrying'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(waiting.output()).toContain(`registry at http://127.0.0.1:${closedPort} not reachable`);
    expect(waiting.output()).toContain('retrying');
    expect(waiting.output()).not.toContain('SIGNING_KEY_FILE');
    expect(waiting.child.exitCode).toBeNull();
    waiting.child.kill('SIGKILL');

    const taken = run({
      PORT: String(system.ports.gateway),
      REGISTRY_URL: `http://localhost:${system.ports.registry}`,
      INSTANCE_ID: 'port-taken',
    });
    expect(await taken.exited).toBe(2);
    expect(taken.output()).toContain(`port ${system.ports.gateway} on 127.0.0.1 is in use by another process`);
    expect(taken.output()).not.toMatch(/^\s+at /m);
  }, 60_000);
});
