/**
 * Review of issue 31 from outside: two gateway processes (server entries, as an operator runs them)
 * on ONE SQLite file, requests signed without the project's sdk (tests/adversarial/raw-client.ts).
 * - The same signed request sent to both at once: exactly one 200, the other refused (401).
 * - One of them SIGKILLed under load: every request it answered 200 is refused when replayed to the
 *   other (its nonce claim was committed before release), and every 200 of either has its record and
 *   a gapless leaf in its instance's log.
 * (The in-repository race test, gateway.test.ts, runs both instances on one in-memory connection.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawJwk, signRaw } from '../adversarial/raw-client.ts';
import { type EntryProcess, gatewayInstanceEnv, runEntry } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';

describe('review 31: two gateway processes on one SQLite file', () => {
  let system: RunningSystem;
  let key: RawJwk;
  let dir: string;
  const ports: number[] = [];
  const gateways: EntryProcess[] = [];

  beforeAll(async () => {
    system = await startSystem();
    key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-review31-'));
    for (const id of ['rev31-a', 'rev31-b']) {
      const port = await freePort();
      ports.push(port);
      gateways.push(
        runEntry(
          'packages/gateway/src/server/main.ts',
          gatewayInstanceEnv(system, { port, database: join(dir, 'gateway.db'), instanceId: id }),
        ),
      );
      // One after the other: both migrate the same file.
      const started = gateways.at(-1) as EntryProcess;
      if (!(await started.printed(/listening on/, 90_000)))
        throw new Error(`${id} did not start:\n${started.output()}`);
    }
  }, 240_000);
  afterAll(async () => {
    for (const g of gateways) if (g.child.exitCode === null) g.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const body = JSON.stringify({
    type: 'RaadpleegMetBurgerservicenummer',
    burgerservicenummer: ['999993653'],
    fields: ['naam.voornamen'],
  });
  const signed = () =>
    signRaw({
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}/personen`,
      key,
      processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
      body,
    });
  const send = (port: number, headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${port}/personen`, { method: 'POST', headers, body });

  it('the same signed request to both at once: exactly one 200', async () => {
    const outcomes: number[][] = [];
    for (let round = 0; round < 5; round++) {
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 8 }, async () => {
            const headers = signed();
            const answers = await Promise.all(ports.map((port) => send(port, headers)));
            return answers.map((a) => a.status).sort();
          }),
        )),
      );
    }
    expect(outcomes).toEqual(outcomes.map(() => [200, 401]));
  }, 60_000);

  it('a process SIGKILLed under load: its released requests are refused by the other, and all have records', async () => {
    const [portA, portB] = ports as [number, number];
    const released: { headers: Record<string, string>; instance: 'a' | 'b'; tx: string }[] = [];
    let stop = false;
    const client = (port: number, instance: 'a' | 'b') => async () => {
      while (!stop) {
        const headers = signed();
        try {
          const answer = await send(port, headers);
          await answer.arrayBuffer();
          if (answer.status === 200)
            released.push({ headers, instance, tx: answer.headers.get('fsc-transaction-id') ?? '' });
        } catch {
          // the connection died with the process
          if (instance === 'b') return;
        }
      }
    };
    const running = [
      ...Array.from({ length: 6 }, () => client(portB, 'b')()),
      ...Array.from({ length: 2 }, () => client(portA, 'a')()),
    ];
    const deadline = Date.now() + 20_000;
    while (released.filter((r) => r.instance === 'b').length < 80 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const b = gateways[1] as EntryProcess;
    b.child.kill('SIGKILL');
    await b.exited;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(running);
    const fromB = released.filter((r) => r.instance === 'b');
    expect(fromB.length).toBeGreaterThanOrEqual(80);

    // Every request B released, replayed to A (within its window): refused.
    const replays = await Promise.all(fromB.map((r) => send(portA, r.headers).then((a) => a.status)));
    expect(replays.filter((s) => s !== 401)).toEqual([]);

    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(dir, 'gateway.db')}`);
    try {
      const rows = await db.selectFrom('access_log').select(['transaction_id', 'leaf_index']).execute();
      const logged = new Set(rows.map((r) => r.transaction_id));
      expect(released.map((r) => r.tx).filter((t) => !logged.has(t))).toEqual([]);
      for (const log of ['rev31-a', 'rev31-b']) {
        const leaves = await db
          .selectFrom('merkle_leaves')
          .select('leaf_index')
          .where('log_id', '=', log)
          .orderBy('leaf_index')
          .execute();
        expect(leaves.length).toBeGreaterThan(0);
        expect(leaves.map((l) => Number(l.leaf_index))).toEqual(leaves.map((_, i) => i));
      }
    } finally {
      await close();
    }
  }, 90_000);
});
