/**
 * A restore of an older backup under a gateway that had already published a newer tree head (issue 27,
 * section 5): the gateway refuses to serve from the rolled-back log (/readyz not ready with the reason,
 * 503 problem+json naming the rollback, one log line with both heads) until the operator confirms that
 * exact state with CONFIRM_ROLLBACK_TO=<size>:<root>; a wrong confirmation changes nothing; the auditor's
 * `poortwachter log verify` names the rollback. From outside: `pnpm start`, the gateway's server entry
 * and its `backup` command as processes, raw HTTP, the CLI as a process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ENTRY, publishedInstance, restoreSqlite } from '../operations/published-instance.ts';
import type { EntryProcess } from '../operations/server-entry.ts';
import { runEntry } from '../run-process.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';

const LOG_ID = 'rollback-test';

describe('a gateway whose log was rolled back by a restore', () => {
  let system: RunningSystem;
  let dir: string;
  let instance: ReturnType<typeof publishedInstance>;
  let gateway: EntryProcess | undefined;
  let database: string;
  let headsFile: string;

  beforeAll(async () => {
    system = await startSystem();
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-rollback-'));
    database = join(dir, 'gateway.db');
    headsFile = join(dir, 'auditor-heads.json');
    instance = publishedInstance(system, { port: await freePort(), database, instanceId: LOG_ID });
    await instance.publish();
    gateway = await instance.start();
  }, 120_000);
  afterAll(async () => {
    if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ready = async () => {
    const res = await fetch(`${instance.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; rollback?: string } };
  };
  const restart = async (env: Record<string, string> = {}) => {
    await gateway?.stop();
    gateway = await instance.start(env);
  };

  it('refuses to serve after an older backup is restored, says why, and serves again once the operator confirms', async () => {
    for (let i = 0; i < 3; i++) expect((await instance.query()).status).toBe(200);
    await instance.signed(3);
    const backup = join(dir, 'older.db');
    const made = await runEntry(GATEWAY_ENTRY, ['backup', '--to', backup], {
      env: { DATABASE_URL: `sqlite:${database}` },
    });
    expect(made.code, made.output).toBe(0);
    const older = Number(made.out.match(new RegExp(`log ${LOG_ID}: (\\d+) leaves`))?.[1]);
    expect(older).toBeGreaterThanOrEqual(3);

    for (let i = 0; i < 3; i++) expect((await instance.query()).status).toBe(200);
    const published = older + 3;
    await instance.signed(published);
    const first = await instance.logVerify(headsFile, '--heads-only');
    expect(first.code, first.output).toBe(0);
    // The published head is kept outside the database: in PUBLISHED_HEADS_DIR (by default
    // DATA_DIR/published-heads; here beside the database, as gatewayInstanceEnv sets it).
    const headFile = join(dir, 'published-heads', `${LOG_ID}.json`);
    expect(existsSync(headFile)).toBe(true);
    expect((JSON.parse(readFileSync(headFile, 'utf8')) as { head: { tree_size: number } }).head.tree_size).toBe(
      published,
    );

    // The documented restore: stop, the older backup over the database, start.
    await gateway?.stop();
    restoreSqlite(backup, database);
    gateway = await instance.start();

    const line = new RegExp(
      `ROLLBACK of log ${LOG_ID}: it published size ${published} \\(root [^,]+, signed [^)]+\\) but its database holds size ${older} \\(root ([^)]+)\\).*CONFIRM_ROLLBACK_TO=(${older}:\\S+?)"`,
    );
    expect(gateway.output(), gateway.output()).toMatch(line);
    const confirmation = gateway.output().match(line)?.[2] as string;
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.body.rollback).toContain(`ROLLBACK of log ${LOG_ID}: it published size ${published}`);
    const refused = await instance.query();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { status: number; detail: string };
    expect(problem.detail).toContain(
      `teruggezet naar een oudere stand (grootte ${older}, gepubliceerd was ${published})`,
    );

    // The auditor sees it too: the log is served smaller than the head it verified before.
    const audit = await instance.logVerify(headsFile, '--heads-only');
    expect(audit.code, audit.output).toBe(1);
    expect(audit.out).toContain(`ROLLBACK of log ${LOG_ID}: the log was at size ${published}`);
    expect(audit.out).toContain(`is now at size ${older}`);

    // A confirmation that is not <size>:<root> stops the start, naming the setting.
    await gateway?.stop();
    const malformed = await runEntry(GATEWAY_ENTRY, [], { env: instance.env({ CONFIRM_ROLLBACK_TO: 'yes' }) });
    expect(malformed.code, malformed.output).toBe(2);
    expect(malformed.output).toContain('CONFIRM_ROLLBACK_TO must be a comma-separated list of <size>:<root>');
    gateway = await instance.start();

    // A confirmation of another state changes nothing.
    await restart({ CONFIRM_ROLLBACK_TO: `${older}:${Buffer.alloc(32, 1).toString('base64')}` });
    expect((await ready()).body.rollback).toContain('ROLLBACK');
    expect((await instance.query()).status).toBe(503);

    // The operator's confirmation of exactly this state: recorded, and the gateway serves again.
    await restart({ CONFIRM_ROLLBACK_TO: confirmation });
    expect(gateway?.output()).toContain('log_rollback_confirmed');
    const kept = JSON.parse(readFileSync(headFile, 'utf8')) as {
      confirmedRollbacks: { from: { tree_size: number }; to: { tree_size: number } }[];
    };
    expect(kept.confirmedRollbacks.map((r) => [r.from.tree_size, r.to.tree_size])).toEqual([[published, older]]);
    expect((await instance.query()).status).toBe(200);
    for (let i = 0; i < 20 && (await ready()).status !== 200; i++) await new Promise((r) => setTimeout(r, 250));
    expect((await ready()).status).toBe(200);

    // The confirmed state is the reference now: a restart without the setting serves.
    await instance.signed(older + 1);
    await restart();
    expect((await instance.query()).status).toBe(200);
  }, 180_000);
});
