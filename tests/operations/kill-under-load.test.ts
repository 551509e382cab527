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
 * Log before release (issue 31's pipelined group commit): a gateway under load is killed with SIGKILL
 * while requests are in flight; every answer the clients got with 200 has its access record and its
 * leaf in the database opened afterwards, and the log's leaves have no gap.
 */
describe('a gateway killed (SIGKILL) under load', () => {
  let system: RunningSystem;
  let key: RawJwk;
  let dir: string;
  let port: number;
  let gateway: EntryProcess;

  beforeAll(async () => {
    system = await startSystem();
    key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-kill-'));
    port = await freePort();
    gateway = runEntry(
      'packages/gateway/src/server/main.ts',
      gatewayInstanceEnv(system, { port, database: join(dir, 'gateway.db'), instanceId: 'kill-test' }),
    );
    if (!(await gateway.printed(/listening on/, 90_000))) throw new Error(`it did not start:\n${gateway.output()}`);
  }, 180_000);
  afterAll(async () => {
    if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has the record of every answer released before the kill', async () => {
    const released: string[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const answer = await querySuzanne(`http://127.0.0.1:${port}`, system.ports.gateway, key);
          if (answer.status === 200) released.push(answer.headers.get('fsc-transaction-id') ?? '');
        } catch {
          // the connection died with the process
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    const deadline = Date.now() + 20_000;
    while (released.length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    stop = true;
    await Promise.all(clients);
    expect(released.length).toBeGreaterThanOrEqual(150);

    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'gateway.db')}`);
    try {
      const rows = await db.selectFrom('access_log').select(['transaction_id', 'leaf_index']).execute();
      const logged = new Set(rows.map((r) => r.transaction_id));
      expect(released.filter((t) => !logged.has(t))).toEqual([]);
      expect(rows.every((r) => r.leaf_index !== null)).toBe(true);
      const leaves = await db
        .selectFrom('merkle_leaves')
        .select('leaf_index')
        .where('log_id', '=', 'kill-test')
        .orderBy('leaf_index')
        .execute();
      expect(leaves.map((l) => Number(l.leaf_index))).toEqual(leaves.map((_, i) => i));
    } finally {
      await close();
    }
  }, 60_000);
});
