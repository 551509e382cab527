/**
 * The auditor's trust anchor (issue 25, item 6): the file of tree heads `poortwachter log verify` has
 * seen. A heads file that is cut off (a crash while it was written, a full disk, an edit) must stop the
 * next run with a clear error, never make it start over as if nothing had been seen before: that
 * would let a forked or rewritten log pass as "first seen". The CLI as a child process against
 * `pnpm start`.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';

describe('log verify with a broken heads file', () => {
  let system: RunningSystem;
  let headsFile: string;
  beforeAll(async () => {
    system = await startSystem();
    headsFile = join(system.data, 'auditor-heads.json');
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  const logVerify = () =>
    runCli(['log', 'verify', '--heads-only', '--heads', headsFile], {
      env: { DATA_DIR: system.data, REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}` },
    });

  it('keeps the heads of a good run for its owner only', async () => {
    const run = await logVerify();
    expect(run.code, run.err + run.out).toBe(0);
    const heads = JSON.parse(readFileSync(headsFile, 'utf8')) as Record<string, { tree_size: number }>;
    expect(Object.keys(heads).length).toBeGreaterThan(0);
    expect(statSync(headsFile).mode & 0o777).toBe(0o600);
  });

  it('stops with exit 2 naming the file when the heads file is cut off or empty, and leaves it as it is', async () => {
    const whole = readFileSync(headsFile, 'utf8');
    for (const broken of [whole.slice(0, Math.floor(whole.length / 2)), '', '[]']) {
      writeFileSync(headsFile, broken);
      const run = await logVerify();
      expect(run.code, run.err + run.out).toBe(2);
      expect(run.out).toBe('');
      const lines = run.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(headsFile);
      expect(lines[0]).toContain('not readable as the heads seen before');
      // Not overwritten with the heads of this run as if they were the first ever seen.
      expect(readFileSync(headsFile, 'utf8')).toBe(broken);
    }
    writeFileSync(headsFile, whole);
    const restored = await logVerify();
    expect(restored.code, restored.err + restored.out).toBe(0);
  });
});
