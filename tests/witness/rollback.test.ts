/**
 * A restore that rolls a gateway's log back *together with* its published-heads file (issue 30): the
 * gateway's own check (issue 27) cannot see it then, but the witnesses can, because they hold the later
 * head they cosigned. The gateway reports it (one log line naming the witness and both sizes, readiness
 * body), its new heads are never cosigned, and a citizen's client refuses them and says why. From
 * outside: `pnpm start` (two witnesses, quorum 2), the gateway's server entry and its `backup` command
 * as processes, raw HTTP, `poortwachter inzage` as a process.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ENTRY, publishedInstance, restoreSqlite } from '../operations/published-instance.ts';
import type { EntryProcess } from '../operations/server-entry.ts';
import { runEntry } from '../run-process.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { cosigned, directoryWitnesses, inzage, inzageLines, readiness } from './witnessed-log.ts';

const LOG_ID = 'witnessed-rollback';

describe('a log rolled back with its published-heads file', () => {
  let system: RunningSystem;
  let dir: string;
  let port: number;
  let instance: ReturnType<typeof publishedInstance>;
  let gateway: EntryProcess | undefined;

  beforeAll(async () => {
    system = await startSystem({ env: { DIRECTORY_REFRESH_SECONDS: '2' } });
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-witnessed-rollback-'));
    port = await freePort();
    instance = publishedInstance(system, { port, database: join(dir, 'gateway.db'), instanceId: LOG_ID });
    await instance.publish();
    gateway = await instance.start();
  }, 200_000);
  afterAll(async () => {
    if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is caught by the witnesses: the gateway reports it and readers refuse the rolled-back heads', async () => {
    const { witnesses, quorum } = await directoryWitnesses(system);
    expect(witnesses.length).toBe(2);
    expect(quorum).toBe(2);

    for (let i = 0; i < 2; i++) expect((await instance.query()).status).toBe(200);
    const older = await cosigned(instance.url, 2, { output: () => gateway?.output() ?? '' });
    // The backup, and beside it the published-heads file as it was then: an operator who restores both.
    const backup = join(dir, 'older.db');
    const made = await runEntry(GATEWAY_ENTRY, ['backup', '--to', backup], {
      env: { DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}` },
    });
    expect(made.code, made.output).toBe(0);
    mkdirSync(join(dir, 'heads-then'));
    cpSync(join(dir, 'published-heads'), join(dir, 'heads-then'), { recursive: true });

    for (let i = 0; i < 3; i++) expect((await instance.query()).status).toBe(200);
    const later = await cosigned(instance.url, older.size + 3, { output: () => gateway?.output() ?? '' });
    // Before the rollback a citizen's client accepts the lines, with both witnesses named.
    const before = await inzageLines(system, port);
    expect(before.lines.length, before.run.output).toBeGreaterThanOrEqual(5);
    for (const line of before.lines) {
      expect(line.inLog, JSON.stringify(line)).toMatchObject({ verified: true, witnessed: { quorum: 2 } });
      if (line.inLog?.verified) expect(line.inLog.witnessed.cosigners).toHaveLength(2);
    }

    await gateway?.stop();
    restoreSqlite(backup, join(dir, 'gateway.db'));
    rmSync(join(dir, 'published-heads'), { recursive: true, force: true });
    cpSync(join(dir, 'heads-then'), join(dir, 'published-heads'), { recursive: true });
    gateway = await instance.start();

    // The gateway's own check sees nothing wrong: it serves the afnemers on the older log.
    for (let i = 0; i < 2; i++) expect((await instance.query()).status).toBe(200);
    const finding = new RegExp(`witness .*holds a later head.*${later.size}`, 'i');
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !finding.test(gateway.output()); ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // One line per witness naming it and both sizes: the witnesses hold the later head.
    expect(gateway.output(), gateway.output()).toMatch(finding);
    expect(gateway.output()).toMatch(/rolled back/);
    const ready = await readiness(instance.url);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(ready.body)).toMatch(/rolled back/);
    const served = await (await fetch(`${instance.url}/log/v1/checkpoint`)).text();
    expect(served).not.toContain(later.root);

    // The citizen's client refuses every line under a head the witnesses did not cosign, and says why.
    const after = await inzageLines(system, port);
    const refused = after.lines.filter((l) => l.inLog && !l.inLog.verified);
    expect(refused.length, after.run.output).toBeGreaterThanOrEqual(2);
    for (const line of refused) {
      expect(line.inLog?.verified === false && line.inLog.reason).toMatch(
        new RegExp(`only [01] of (the )?2 witnesses.* cosigned head \\d+ of log .*${LOG_ID}`),
      );
      expect(line.inLog?.verified === false && line.inLog.unwitnessed?.quorum).toBe(2);
    }
    // The CLI says so in Dutch too, and exits 1.
    const text = await inzage(system);
    expect(text.code, text.output).toBe(1);
    expect(text.out).toContain('NIET bevestigd door genoeg onafhankelijke getuigen');
  }, 200_000);
});
