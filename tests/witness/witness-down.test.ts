/**
 * A witness that is down for a while (issue 30): the gateway keeps serving its afnemers, its readiness
 * stays ready and its body says which witness the newest head waits for; readers follow the directory's
 * quorum (2 of 2): a line whose head only one witness cosigned is refused, and says so, until the witness
 * is back and the gateway has its cosignature. From outside: `pnpm start`, the witness part frozen
 * (SIGSTOP: it accepts connections but never answers, the worst kind of down) and thawed, the gateway's
 * server entry, raw HTTP and `poortwachter inzage` as a process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedInstance } from '../operations/published-instance.ts';
import type { EntryProcess } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { cosigned, inzage, inzageLines, partPid, readiness } from './witnessed-log.ts';

const LOG_ID = 'witness-down';
const AP = 'poortwachter.example/getuige-ap';
const REGISTRY = 'poortwachter.example/getuige-registry';

interface WitnessState {
  name: string;
  cosigned_size: number | null;
  last_error: string | null;
  pending_since: string | null;
}

/** The state the readiness body gives for witness `name` (wherever in the body it sits). */
function stateOf(body: unknown, name: string): WitnessState | undefined {
  if (Array.isArray(body)) return body.map((b) => stateOf(b, name)).find(Boolean);
  if (!body || typeof body !== 'object') return undefined;
  if ((body as { name?: unknown }).name === name && 'pending_since' in body) return body as WitnessState;
  return Object.values(body)
    .map((v) => stateOf(v, name))
    .find(Boolean);
}

describe('a witness that is down', () => {
  let system: RunningSystem;
  let dir: string;
  let port: number;
  let instance: ReturnType<typeof publishedInstance>;
  let gateway: EntryProcess | undefined;
  let frozen: number | undefined;

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '2' } });
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-witness-down-'));
    port = await freePort();
    instance = publishedInstance(system, { port, database: join(dir, 'gateway.db'), instanceId: LOG_ID });
    await instance.publish();
    gateway = await instance.start();
  }, 200_000);
  afterAll(async () => {
    if (frozen) process.kill(frozen, 'SIGCONT');
    if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('does not stop the gateway; readiness says it; readers follow the quorum until it is back', async () => {
    for (let i = 0; i < 2; i++) expect((await instance.query()).status).toBe(200);
    const before = await cosigned(instance.url, 2, { output: () => gateway?.output() ?? '' });

    frozen = await partPid(system, system.ports.witnessAp);
    process.kill(frozen, 'SIGSTOP');

    // The afnemer is served as before: nothing on the request's path waits for a witness.
    const started = Date.now();
    expect((await instance.query()).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    await instance.signed(before.size + 1);

    // Ready, and the body names the witness the newest head waits for (and why, once its request timed out).
    let ap: WitnessState | undefined;
    let ready = await readiness(instance.url);
    for (const deadline = Date.now() + 40_000; Date.now() < deadline; ) {
      ready = await readiness(instance.url);
      ap = stateOf(ready.body, AP);
      if (ap?.pending_since && ap.last_error) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(ready.status).toBe(200);
    expect(ap, JSON.stringify(ready.body)).toMatchObject({ cosigned_size: before.size });
    expect(ap?.pending_since).not.toBeNull();
    expect(ap?.last_error).toBeTruthy();
    expect(stateOf(ready.body, REGISTRY)).toMatchObject({ cosigned_size: before.size + 1, pending_since: null });

    // Readers: the older lines are under a head both cosigned; the newest is refused, 1 of the 2 needed.
    const down = await inzageLines(system, port);
    expect(down.lines.length, down.run.output).toBe(3);
    const refused = down.lines.filter((l) => l.inLog?.verified === false);
    expect(refused, down.run.output).toHaveLength(1);
    expect(refused[0]?.inLog).toMatchObject({ unwitnessed: { cosigned: 1, quorum: 2 } });
    expect(refused[0]?.inLog?.verified === false && refused[0].inLog.reason).toContain(
      `only 1 of 2 witnesses cosigned head ${before.size + 1} of log ${LOG_ID}`,
    );

    // Back: the gateway's retry gets the cosignature, and readers accept every line again.
    process.kill(frozen, 'SIGCONT');
    frozen = undefined;
    await cosigned(instance.url, before.size + 1, { timeoutMs: 90_000, output: () => gateway?.output() ?? '' });
    expect(stateOf((await readiness(instance.url)).body, AP)).toMatchObject({ pending_since: null });
    const back = await inzageLines(system, port);
    expect(back.lines.map((l) => l.inLog?.verified)).toEqual([true, true, true]);
    for (const line of back.lines) {
      if (line.inLog?.verified) expect([...line.inLog.witnessed.cosigners].sort()).toEqual([AP, REGISTRY]);
    }
    // The CLI says who vouched, in Dutch.
    const text = await inzage(system);
    expect(text.out).toContain(
      `De logboeken zijn bevestigd door onafhankelijke getuigen: ${AP}, ${REGISTRY} (nodig: 2).`,
    );
  }, 200_000);
});
