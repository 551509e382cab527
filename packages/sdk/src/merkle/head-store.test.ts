import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileHeadStore, HeadsFileError, type KnownHead } from './head-store.ts';

const folder = mkdtempSync(join(tmpdir(), 'poortwachter-heads-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const LOGS = 32;
/** Heads of one round: every log at the same size, so a file mixing two rounds is caught. Always the same length. */
function headsOf(round: number, logs: number): Record<string, KnownHead> {
  return Object.fromEntries(
    Array.from({ length: logs }, (_, i) => [
      `https://gateway-${String(i).padStart(2, '0')}.test log-${i}`,
      {
        tree_size: round,
        root_hash: 'r'.repeat(44),
        timestamp: round,
        jws: 'j'.repeat(256 * 1024),
        seenAt: '2026-12-01T00:00:00.000Z',
      },
    ]),
  );
}
/** The child: saves heads of the next round, as `log verify` does at its end, over and over until it is killed. */
const writer = `
const { fileHeadStore } = await import(${JSON.stringify(new URL('./head-store.ts', import.meta.url).href)});
const headsOf = ${headsOf.toString()};
const store = fileHeadStore(process.env.HEADS_FILE);
let round = Object.values(await store.load())[0].tree_size;
await store.save(headsOf(++round, ${LOGS}));
process.stdout.write('ready\\n');
for (;;) await store.save(headsOf(++round, ${LOGS}));
`;

function startWriter(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], {
    env: { ...process.env, HEADS_FILE: file },
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before it was ready: ${err}`)));
  });
}

/** The round of a heads file, which must be whole: valid JSON, every log, every log of the same round. */
function roundOf(file: string): number {
  const heads = JSON.parse(readFileSync(file, 'utf8')) as Record<string, KnownHead>;
  const sizes = new Set(Object.values(heads).map((h) => h.tree_size));
  expect(Object.keys(heads)).toHaveLength(LOGS);
  expect(sizes.size).toBe(1);
  return [...sizes][0] as number;
}

describe('fileHeadStore', () => {
  it('keeps the heads of the last whole save when the auditor is killed while saving (SIGKILL at random points)', async () => {
    const file = join(folder, 'killed', 'auditor-heads.json');
    await fileHeadStore(file).save(headsOf(1_000_000, LOGS));
    const firstRound = roundOf(file);
    let round = firstRound;
    const wholeSize = statSync(file).size;
    for (let kill = 0; kill < 5; kill++) {
      const child = await startWriter(file);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Kill at a random moment, or at once when the file is seen half written (the worst moment).
      const deadline = Date.now() + Math.random() * 2000;
      while (Date.now() < deadline) {
        let size = -1;
        try {
          size = statSync(file).size;
        } catch {
          // between an unlink and a create: also a moment to kill at
        }
        if (size !== wholeSize) break;
      }
      child.kill('SIGKILL');
      await exited;
      const now = roundOf(file);
      expect(now).toBeGreaterThanOrEqual(round);
      round = now;
    }
    // The writer got to save in between: the kills fell among real saves.
    expect(round).toBeGreaterThan(firstRound);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('reads a missing file as no heads (a first run)', async () => {
    expect(await fileHeadStore(join(folder, 'never-written.json')).load()).toEqual({});
  });

  it('refuses a heads file that is empty, cut off, not an object or not heads, naming the file', async () => {
    const head = { log_id: 'l', tree_size: 3, root_hash: 'cg==', timestamp: 1, jws: 'a.b.c', seenAt: '2026-12-01' };
    const whole = JSON.stringify({ 'https://gw.test l': head }, null, 2);
    for (const [text, reason] of [
      ['', 'it is empty'],
      [whole.slice(0, whole.length / 2), 'not JSON'],
      ['null', 'not a JSON object'],
      ['[]', 'not a JSON object'],
      [JSON.stringify({ x: { ...head, tree_size: '3' } }), 'the head of "x" lacks'],
      [JSON.stringify({ x: { ...head, tree_size: -1 } }), 'the head of "x" lacks'],
      [JSON.stringify({ x: null }), 'the head of "x" lacks'],
    ] as const) {
      const file = join(folder, 'broken.json');
      writeFileSync(file, text);
      const error = await fileHeadStore(file)
        .load()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, text).toBeInstanceOf(HeadsFileError);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain(reason);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('saves heads as JSON for its owner only, and reads them back', async () => {
    const file = join(folder, 'saved', 'auditor-heads.json');
    const heads = {
      'https://gw.test l': { tree_size: 3, root_hash: 'cg==', timestamp: 1, jws: 'a.b.c', seenAt: '2026-12-01' },
    };
    await fileHeadStore(file).save(heads);
    expect(await fileHeadStore(file).load()).toEqual(heads);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
