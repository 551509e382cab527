import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SOURCE_LOADER } from '../../../../scripts/source-loader.ts';
import { FileLockedError } from '../file-lock.ts';
import { fileHeadStore, HeadsFileError, type KnownHead, listSeenHeads, noHeadsSeen } from './head-store.ts';
import { HEADS_FORMAT, parseHeadsFile } from './heads-file.ts';

const folder = mkdtempSync(join(tmpdir(), 'poortwachter-heads-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const LOGS = 32;
/** Heads of one round: every log at the same size, so a file mixing two rounds is caught. Always the same length. */
function headsOf(round: number, logs: number) {
  const ofProvider = Object.fromEntries(
    Array.from({ length: logs }, (_, i) => [
      `log-${String(i).padStart(2, '0')}`,
      {
        tree_size: round,
        root_hash: 'r'.repeat(44),
        timestamp: round,
        jws: 'j'.repeat(256 * 1024),
        seenAt: '2026-12-01T00:00:00.000Z',
      },
    ]),
  );
  return { logs: { '00000001234567890000': ofProvider }, unattributed: {} };
}
/** The child: saves heads of the next round, as `log verify` does at its end, over and over until it is killed. */
const writer = `
const { fileHeadStore } = await import(${JSON.stringify(new URL('./head-store.ts', import.meta.url).href)});
const headsOf = ${headsOf.toString()};
const store = fileHeadStore(process.env.HEADS_FILE);
let round = Object.values((await store.load()).logs['00000001234567890000'])[0].tree_size;
await store.save(headsOf(++round, ${LOGS}));
process.stdout.write('ready\\n');
for (;;) await store.save(headsOf(++round, ${LOGS}));
`;

function startWriter(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SOURCE_LOADER, '--input-type=module', '-e', writer], {
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
  const heads = listSeenHeads(parseHeadsFile(file, readFileSync(file, 'utf8')));
  const sizes = new Set(heads.map((h) => h.head.tree_size));
  expect(heads).toHaveLength(LOGS);
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
    expect(await fileHeadStore(join(folder, 'never-written.json')).load()).toEqual(noHeadsSeen());
  });

  it('refuses a heads file that is empty, cut off, not an object, a bare {} or not heads, naming the file', async () => {
    const head = { log_id: 'l', tree_size: 3, root_hash: 'cg==', timestamp: 1, jws: 'a.b.c', seenAt: '2026-12-01' };
    const whole = JSON.stringify({ 'https://gw.test l': head }, null, 2);
    for (const [text, reason] of [
      ['', 'it is empty'],
      [whole.slice(0, whole.length / 2), 'not JSON'],
      ['null', 'not a JSON object'],
      ['[]', 'not a JSON object'],
      ['{}', 'it holds no heads and does not say its format'],
      [JSON.stringify({ x: { ...head, tree_size: '3' } }), 'the head of "x" lacks'],
      [JSON.stringify({ x: { ...head, tree_size: -1 } }), 'the head of "x" lacks'],
      [JSON.stringify({ x: null }), 'the head of "x" lacks'],
      [JSON.stringify({ format: 'poortwachter-auditor-heads/9', logs: {} }), 'is not poortwachter-auditor-heads/2'],
      [JSON.stringify({ format: HEADS_FORMAT }), 'no object "logs"'],
      [
        JSON.stringify({ format: HEADS_FORMAT, logs: { oin: { l: { ...head, jws: 1 } } } }),
        'the head of "oin l" lacks',
      ],
      // The edge where the entries were proven has one hash per bit of its size (3: two).
      [
        JSON.stringify({
          format: HEADS_FORMAT,
          logs: { oin: { l: { ...head, entries: { size: 3, edge: [HASH] } } } },
        }),
        'its checkpoint or entries are not as written',
      ],
      [
        JSON.stringify({
          format: HEADS_FORMAT,
          logs: { oin: { l: { ...head, entries: { size: 3, edge: [HASH, 'not a hash'] } } } },
        }),
        'its checkpoint or entries are not as written',
      ],
      [
        JSON.stringify({ format: HEADS_FORMAT, logs: { oin: { l: { ...head, checkpoint: 7 } } } }),
        'its checkpoint or entries are not as written',
      ],
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

  it('saves heads per provider and log as JSON for its owner only, also none, and reads them back', async () => {
    const file = join(folder, 'saved', 'auditor-heads.json');
    await fileHeadStore(file).save(noHeadsSeen());
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ format: HEADS_FORMAT, logs: {} });
    expect(await fileHeadStore(file).load()).toEqual(noHeadsSeen());
    // A log may be called anything its gateway's INSTANCE_ID says, also a name objects have of their own.
    const heads = { logs: { [OIN]: { l: headAt(3, 'cg=='), ['__proto__']: headAt(4, 'cw==') } }, unattributed: {} };
    await fileHeadStore(file).save(heads);
    expect(listSeenHeads(await fileHeadStore(file).load())).toEqual([
      { provider: OIN, logId: 'l', head: headAt(3, 'cg==') },
      { provider: OIN, logId: '__proto__', head: headAt(4, 'cw==') },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps with a head its cosigned checkpoint and the edge where the entries were proven', async () => {
    const file = join(folder, 'with-edge.json');
    const head = {
      ...headAt(3, 'cg=='),
      checkpoint: 'poortwachter/log/x/l\n3\ncg==\n\n— poortwachter/log/x/l AAAA\n',
      entries: { size: 3, edge: [HASH, HASH] },
    };
    await fileHeadStore(file).save({ logs: { [OIN]: { l: head } }, unattributed: {} });
    expect(listSeenHeads(await fileHeadStore(file).load())).toEqual([{ provider: OIN, logId: 'l', head }]);
  });

  it('reads a file of the first format (keyed by gateway URL) as unattributed heads, and keeps them when saving', async () => {
    const file = join(folder, 'first-format.json');
    const first = { 'http://localhost:8302 vm': { ...headAt(5, 'cg=='), log_id: 'vm' } };
    writeFileSync(file, JSON.stringify(first));
    const store = fileHeadStore(file);
    const seen = await store.load();
    expect(seen).toEqual({ logs: {}, unattributed: { 'http://localhost:8302 vm': headAt(5, 'cg==') } });
    await store.save(seen);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      format: HEADS_FORMAT,
      logs: {},
      unattributed: seen.unattributed,
    });
  });

  it('never saves an older head over a newer one saved since it loaded; the same size with another root is a conflict', async () => {
    const file = join(folder, 'two-runs.json');
    await fileHeadStore(file).save(noHeadsSeen());
    const slow = fileHeadStore(file);
    const fast = fileHeadStore(file);
    await slow.load();
    await fast.load();
    expect(await fast.save(one('vm', headAt(7, 'Bw==')))).toEqual([]);
    // The slow run saw the log at 6, and a log the other did not see: its save keeps 7 and adds that one.
    const slowHeads = { logs: { [OIN]: { vm: headAt(6, 'Bg=='), other: headAt(1, 'AQ==') } }, unattributed: {} };
    expect(await slow.save(slowHeads)).toEqual([]);
    expect((await fileHeadStore(file).load()).logs[OIN]).toEqual({ vm: headAt(7, 'Bw=='), other: headAt(1, 'AQ==') });
    // A third run that loaded before both saved a head of size 7 with another root: a fork, not saved.
    const third = memoryless(file);
    expect(await third.save(one('vm', headAt(7, 'Bx==')))).toEqual([
      { provider: OIN, logId: 'vm', kept: headAt(7, 'Bw=='), other: headAt(7, 'Bx==') },
    ]);
    expect((await fileHeadStore(file).load()).logs[OIN]?.vm).toEqual(headAt(7, 'Bw=='));
  });

  it('keeps a head of the first format another run added, and drops the ones this run gave to their log', async () => {
    const file = join(folder, 'unattributed.json');
    writeFileSync(file, JSON.stringify({ 'http://a.test vm': headAt(5, 'cg==') }));
    const store = fileHeadStore(file);
    await store.load();
    // Meanwhile an older auditor (of the first format) wrote its heads.
    writeFileSync(
      file,
      JSON.stringify({ 'http://a.test vm': headAt(5, 'cg=='), 'http://b.test w': headAt(2, 'Ag==') }),
    );
    await store.save(one('vm', headAt(6, 'Bg==')));
    expect(await fileHeadStore(file).load()).toEqual({
      logs: { [OIN]: { vm: headAt(6, 'Bg==') } },
      unattributed: { 'http://b.test w': headAt(2, 'Ag==') },
    });
  });

  it('writes through a symbolic link to its target, also a dangling one, and keeps the link', async () => {
    const target = join(folder, 'kept-elsewhere', 'heads.json');
    const link = join(folder, 'linked-heads.json');
    symlinkSync(target, link);
    await fileHeadStore(link).save(one('vm', headAt(1, 'AQ==')));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await fileHeadStore(target).load()).logs[OIN]?.vm).toEqual(headAt(1, 'AQ=='));
    await fileHeadStore(link).save(one('vm', headAt(2, 'Ag==')));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await fileHeadStore(target).load()).logs[OIN]?.vm).toEqual(headAt(2, 'Ag=='));
  });

  it('lets one holder of the lock save at a time, and takes over a lock its holder left behind', async () => {
    const file = join(folder, 'locked', 'heads.json');
    const store = fileHeadStore(file);
    const lock = store.lock();
    expect(() => fileHeadStore(file).lock()).toThrow(FileLockedError);
    await expect(fileHeadStore(file).save(noHeadsSeen())).rejects.toThrow(FileLockedError);
    await store.save(one('vm', headAt(1, 'AQ==')));
    lock.release();
    expect(existsSync(`${file}.lock`)).toBe(false);
    // A run killed while it held the lock: its process is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: gone, host: hostname(), since: 'then', token: 'old' }));
    await fileHeadStore(file).save(one('vm', headAt(2, 'Ag==')));
    expect(existsSync(`${file}.lock`)).toBe(false);
    // A holder on another host cannot be asked whether it still runs: its lock stands.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: gone, host: 'elsewhere.test', since: 'then', token: 'x' }));
    expect(() => fileHeadStore(file).lock()).toThrow(/held by process \d+ on elsewhere.test/);
  });
});

const OIN = '00000001234567890000';
const HASH = Buffer.alloc(32, 7).toString('base64');
const headAt = (size: number, root: string): KnownHead => ({
  tree_size: size,
  root_hash: root,
  timestamp: size,
  jws: `a.${size}.c`,
  seenAt: '2026-12-01T00:00:00.000Z',
});
const one = (logId: string, head: KnownHead) => ({ logs: { [OIN]: { [logId]: head } }, unattributed: {} });
/** A store that saves without having loaded (as a run that loaded before everything on file was saved). */
const memoryless = (file: string) => fileHeadStore(file);
