import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJwk } from '../adversarial/raw-client.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { gatewayInstanceEnv, querySuzanne, startEntry } from './server-entry.ts';

/** A small filesystem of our own (tmpfs), so that "disk full" is real: only root may mount one. */
function mountSmallFilesystem(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-small-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir]);
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Writes zeros into `file` until the filesystem refuses (ENOSPC). */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

const smallFs = mountSmallFilesystem();

/**
 * The gateway's log on a filesystem that fills up under it (pnpm start, the gateway's database on a 6 MB
 * tmpfs): every query is refused 500 TRANSACTION_LOG_WRITE_ERROR with no person data, /readyz says not
 * ready with the cause, the operational log says so a few times, not once per request; when space comes
 * back, the first probe makes it ready and queries are answered (and logged) again.
 */
describe.skipIf(!smallFs)('a full log disk (tmpfs, needs root)', () => {
  let system: RunningSystem;
  let key: RawJwk;
  const fsDir = smallFs as string;
  const filler = join(fsDir, 'filler');

  beforeAll(async () => {
    mkdirSync(join(fsDir, 'db'), { recursive: true });
    system = await startSystem({ env: { GATEWAY_DATABASE_URL: `sqlite:${join(fsDir, 'db', 'gateway.db')}` } });
    key = JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.utrecht}.jwk.json`), 'utf8')) as RawJwk;
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
    execFileSync('umount', [fsDir]);
    rmSync(fsDir, { recursive: true, force: true });
  });

  const gateway = () => `http://127.0.0.1:${system.ports.gateway}`;
  const query = () => querySuzanne(gateway(), system.ports.gateway, key, ['naam.voornamen', 'naam.geslachtsnaam']);
  const readiness = async () => {
    const res = await fetch(`${gateway()}/readyz`);
    return { status: res.status, body: (await res.json()) as { logWritable: boolean; logFailure?: { code: string } } };
  };

  it('refuses with TRANSACTION_LOG_WRITE_ERROR and is not ready while the disk is full, and recovers', async () => {
    expect((await query()).status).toBe(200);
    expect((await readiness()).status).toBe(200);

    const filled = fill(filler);
    expect(filled).toBeGreaterThan(0);
    // The log goes on while its WAL has room it already holds on the disk (after a checkpoint SQLite
    // writes the WAL over from its start; the checkpoint into the full database fails meanwhile), and
    // refuses from the first write that needs a block the disk no longer has: waves of queries until a
    // whole wave is refused. Whatever was answered on the way is on the log (checked once space is back).
    const released: string[] = [];
    let answers: Response[] = [];
    for (let wave = 0; wave < 200; wave++) {
      answers = await Promise.all(Array.from({ length: 20 }, () => query()));
      for (const res of answers) if (res.status === 200) released.push(res.headers.get('fsc-transaction-id') ?? '');
      if (answers.every((res) => res.status !== 200)) break;
    }
    for (const res of answers) {
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(res.headers.get('fsc-error-code')).toBe('TRANSACTION_LOG_WRITE_ERROR');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      // Nothing of the person left: not the name the source would have given, not the BSN.
      expect(text).not.toContain('Suzanne');
      expect(text).not.toContain('Moulin');
      expect(text).not.toContain('999993653');
    }
    const notReady = await readiness();
    expect(notReady.status).toBe(503);
    expect(notReady.body.logWritable).toBe(false);
    expect(notReady.body.logFailure?.code).toMatch(/SQLITE_FULL|SQLITE_IOERR|ENOSPC/);

    // One line per distinct failure per interval, with a count: not one (or two stack traces) per request.
    const failureLines = system
      .printed()
      .split('\n')
      .filter((l) => /log write failed|nonce claim failed/.test(l));
    expect(failureLines.length).toBeGreaterThan(0);
    expect(failureLines.length).toBeLessThanOrEqual(4);

    rmSync(filler);
    // Space is back: the probe's claim makes the log writable again once no batch of records failed for
    // RECORDS_FAILURE_HOLD_MS (5 s; a claim of a few bytes can fit where records do not).
    let ready = await readiness();
    for (let tries = 0; ready.status !== 200 && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      ready = await readiness();
    }
    console.log(
      `disk full: /readyz ${notReady.status} ${JSON.stringify({ logWritable: notReady.body.logWritable, logFailure: notReady.body.logFailure })}\n` +
        `the operational log:\n${failureLines.join('\n')}\nspace back: /readyz ${ready.status} logWritable ${ready.body.logWritable}`,
    );
    expect(ready.status).toBe(200);
    expect(ready.body.logWritable).toBe(true);
    const again = await query();
    expect(again.status).toBe(200);
    expect(JSON.stringify(await again.json())).toContain('Suzanne');
    const opened = openDatabase<{ access_log: { transaction_id: string } }>(
      `sqlite:${join(fsDir, 'db', 'gateway.db')}`,
    );
    const logged = new Set(
      (await opened.db.selectFrom('access_log').select('transaction_id').execute()).map((r) => r.transaction_id),
    );
    await opened.close();
    console.log(`disk full: ${released.length} answered before the log refused, each on the log`);
    expect(released.filter((id) => !logged.has(id))).toEqual([]);
  }, 120_000);

  it('exits 1 with the reason when SIGTERM finds the log disk full, never with an unhandled rejection', async () => {
    const gateway = await startEntry(
      'packages/gateway/src/server/main.ts',
      gatewayInstanceEnv(system, {
        port: await freePort(),
        database: join(fsDir, 'db', 'second.db'),
        instanceId: 'disk-full-stop',
      }),
    );
    const url = gateway.output().match(/listening on (http:\/\/[0-9.:]+)/)?.[1];
    fill(filler);
    try {
      // Refusals of callers nobody identified are counted in memory and written at the minute, or at the stop.
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${url}/personen`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(res.status).toBe(401);
      }
      const { code } = await gateway.stop();
      console.log(
        `SIGTERM, disk full: exit ${code}\n${gateway
          .output()
          .split('\n')
          .filter((l) => /"msg":"stop/.test(l))
          .join('\n')}`,
      );
      expect(code).toBe(1);
      expect(gateway.output()).toMatch(/could not close cleanly: .*(full|SQLITE)/i);
      expect(gateway.output()).not.toMatch(/unhandled rejection|^\s+at /m);
    } finally {
      rmSync(filler, { force: true });
    }
  }, 60_000);
});
