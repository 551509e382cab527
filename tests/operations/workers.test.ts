import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJwk } from '../adversarial/raw-client.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { type EntryProcess, gatewayInstanceEnv, querySuzanne, runEntry } from './server-entry.ts';

/**
 * WORKERS=2: two gateway processes share one port and one database, each with its own Merkle log
 * (`<INSTANCE_ID>-w1`, `-w2`); every answer has its record, a worker that dies is replaced, and
 * SIGTERM stops them all with exit code 0.
 */
describe('a gateway with two workers (the server entry)', () => {
  let system: RunningSystem;
  let key: RawJwk;
  let dir: string;
  let port: number;
  let gateway: EntryProcess;

  beforeAll(async () => {
    system = await startSystem();
    key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-workers-'));
    port = await freePort();
    gateway = runEntry('packages/gateway/src/server/main.ts', {
      ...gatewayInstanceEnv(system, { port, database: join(dir, 'gateway.db'), instanceId: 'workers-test' }),
      WORKERS: '2',
    });
    const listening = async () => (gateway.output().match(/listening on/g) ?? []).length >= 2;
    for (let i = 0; i < 300 && !(await listening()) && gateway.child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!(await listening())) throw new Error(`the workers did not start:\n${gateway.output()}`);
  }, 90_000);
  afterAll(async () => {
    if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // As the directory publishes the service: this gateway is another instance of it.
  const query = () => querySuzanne(`http://127.0.0.1:${port}`, system.ports.gateway, key);
  const logged = async () => {
    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'gateway.db')}`);
    try {
      return await db.selectFrom('access_log').select(['transaction_id', 'log_id']).execute();
    } finally {
      await close();
    }
  };
  const workerPids = () =>
    execFileSync('pgrep', ['-P', String(gateway.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);

  it('serves from both workers, each its own Merkle log, every answer with its record', async () => {
    const answers = await Promise.all(Array.from({ length: 32 }, () => query()));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const transactions = answers.map((a) => a.headers.get('fsc-transaction-id'));
    const rows = await logged();
    const byTransaction = new Map(rows.map((r) => [r.transaction_id, r.log_id]));
    expect(transactions.filter((t) => !byTransaction.has(t ?? ''))).toEqual([]);
    expect(new Set(rows.map((r) => r.log_id))).toEqual(new Set(['workers-test-w1', 'workers-test-w2']));
  });

  it('replaces a worker that dies, under the same log id', async () => {
    const [victim] = workerPids();
    process.kill(Number(victim), 'SIGKILL');
    expect(await gateway.printed(/stopped unexpectedly; restarting it/)).toBe(true);
    const deadline = Date.now() + 20_000;
    while ((gateway.output().match(/listening on/g) ?? []).length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(workerPids()).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 16 }, () => query()));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(new Set((await logged()).map((r) => r.log_id))).toEqual(new Set(['workers-test-w1', 'workers-test-w2']));
  }, 30_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const { code } = await gateway.stop();
    expect(code).toBe(0);
    expect((gateway.output().match(/"msg":"stopped"/g) ?? []).length).toBe(2);
  }, 30_000);
});
