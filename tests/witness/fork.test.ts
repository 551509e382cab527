/**
 * A bronhouder that forks its log (issue 30): a second instance with the same log id and key but its own
 * database keeps a second history of the same log, to show one citizen. Its heads (one of the same size
 * as the first branch's, later ones that are not extensions of it) are never cosigned; a citizen's
 * client shown that branch refuses it and says why; a witness restarted on its state keeps refusing.
 * From outside: `pnpm start` (two witnesses, quorum 2), the gateway's server entry twice, the witness as
 * its own process (`poortwachter witness serve`), raw HTTP and `poortwachter inzage` as a process.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJwk } from '../adversarial/raw-client.ts';
import { publishedInstance } from '../operations/published-instance.ts';
import { type EntryProcess, querySuzanne } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import {
  addCheckpoint,
  checkpointAt,
  cosigned,
  directoryWitnesses,
  inzage,
  inzageLines,
  readiness,
  readNote,
  restartWitness,
} from './witnessed-log.ts';

const LOG_ID = 'fork-test';

describe('a forked log', () => {
  let system: RunningSystem;
  let dir: string;
  let ports: { first: number; second: number };
  let first: ReturnType<typeof publishedInstance>;
  let second: ReturnType<typeof publishedInstance>;
  const running: EntryProcess[] = [];

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '2' } });
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-fork-'));
    ports = { first: await freePort(), second: await freePort() };
    // Each branch its own database and published-heads folder, one log id, the bronhouder's one key.
    for (const name of ['first', 'second']) mkdirSync(join(dir, name));
    first = publishedInstance(system, { port: ports.first, database: join(dir, 'first', 'g.db'), instanceId: LOG_ID });
    second = publishedInstance(system, {
      port: ports.second,
      database: join(dir, 'second', 'g.db'),
      instanceId: LOG_ID,
    });
    await first.publish();
    running.push(await first.start());
  }, 200_000);
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Utrecht's query at the second branch, addressed to the service as the directory publishes it. */
  const queryFork = () =>
    querySuzanne(
      second.url,
      ports.first,
      JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk,
    );

  it('cannot get its second branch cosigned, and a citizen shown that branch refuses it and says why', async () => {
    const { witnesses, quorum } = await directoryWitnesses(system);
    expect(witnesses.map((w) => w.name).sort()).toEqual([
      'poortwachter.example/getuige-ap',
      'poortwachter.example/getuige-registry',
    ]);
    expect(quorum).toBe(2);

    for (let i = 0; i < 3; i++) expect((await first.query()).status).toBe(200);
    const main = await cosigned(first.url, 3, { output: () => running[0]?.output() ?? '' });
    // The first branch, as every reader sees it: proven, vouched for by both witnesses.
    const honest = await inzageLines(system, ports.first);
    expect(honest.lines.length, honest.run.output).toBe(3);
    for (const line of honest.lines) expect(line.inLog).toMatchObject({ verified: true, witnessed: { quorum: 2 } });

    // The second branch: other leaves, one at a time, so that it signs a head of every size.
    const fork = await second.start();
    running.push(fork);
    let size = 0;
    while (size < main.size + 2) {
      expect((await queryFork()).status).toBe(200);
      size += 1;
      await second.signed(size);
    }
    // A head of the first branch's size with another root, and later heads that extend it, not the first.
    const same = (await (await fetch(`${second.url}/log/v1/${LOG_ID}/heads/${main.size}`)).json()) as {
      checkpoint: string;
    };
    const sameForkNote = same.checkpoint;
    expect(readNote(sameForkNote)).toMatchObject({ size: main.size, cosigners: [] });
    expect(readNote(sameForkNote).root).not.toBe(main.root);

    // The second branch's gateway reports the witnesses' refusals, and none of its heads is cosigned.
    const finding = /does this log have two histories\?/;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !finding.test(fork.output()); ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(fork.output(), fork.output()).toMatch(finding);
    const forked = await checkpointAt(second.url);
    expect(forked?.size).toBeGreaterThanOrEqual(main.size);
    expect(forked?.cosigners).toEqual([]);
    expect(JSON.stringify((await readiness(second.url)).body)).toMatch(/witness/i);
    // The first branch stays cosigned by both.
    expect((await checkpointAt(first.url))?.cosigners).toHaveLength(2);

    // Each witness by hand: the second branch's newest head, as if new to it, is refused (409: it holds another).
    const laterNote = await (await fetch(`${second.url}/log/v1/checkpoint`)).text();
    const laterSize = readNote(laterNote).size;
    expect(laterSize).toBe(size);
    for (const w of witnesses) {
      const fresh = await addCheckpoint(w.url, 0, [], laterNote);
      expect(fresh.status, fresh.body).toBe(409);
      expect(fresh.type).toContain('text/x.tlog.size');
      expect(Number(fresh.body.trim())).toBeGreaterThanOrEqual(main.size);
    }

    // A witness restarted on its state (pnpm start starts it again) keeps refusing: the same-size head
    // (422: another root for the size it cosigned) and the later one (422: its proof starts from another tree).
    await restartWitness(system, system.ports.witnessRegistry);
    const registryWitness = witnesses.find((w) => w.name.endsWith('getuige-registry'));
    expect(registryWitness).toBeDefined();
    const url = registryWitness?.url ?? '';
    const again = await addCheckpoint(url, 0, [], laterNote);
    expect(again.status, again.body).toBe(409);
    const held = Number(again.body.trim());
    expect(held).toBe(main.size);
    const sameSize = await addCheckpoint(url, held, [], sameForkNote);
    expect(sameSize.status, sameSize.body).toBe(422);
    const { proof } = (await (
      await fetch(`${second.url}/log/v1/${LOG_ID}/consistency?first=${held}&second=${laterSize}`)
    ).json()) as { proof: string[] };
    const later = await addCheckpoint(url, held, proof, laterNote);
    expect(later.status, later.body).toBe(422);

    // The bronhouder shows the citizen the second branch (the directory now sends readers there).
    await second.publish();
    const shown = await inzageLines(system, ports.second);
    expect(shown.run.code, shown.run.output).toBe(1);
    expect(shown.lines.length, shown.run.output).toBe(size);
    for (const line of shown.lines) {
      expect(line.inLog?.verified, JSON.stringify(line)).toBe(false);
      expect(line.inLog?.verified === false && line.inLog.reason).toMatch(
        new RegExp(`only 0 of (the )?2 witnesses.* cosigned head \\d+ of log .*${LOG_ID}`),
      );
    }
    const text = await inzage(system);
    expect(text.out).toContain('NIET bevestigd door genoeg onafhankelijke getuigen');
  }, 200_000);
});
