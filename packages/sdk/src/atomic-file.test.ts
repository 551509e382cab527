import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from './atomic-file.ts';

// A disk that fills up after the first bytes of the next write: the write throws with part of it written.
const disk = vi.hoisted(() => ({ fullAfter: undefined as number | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeFileSync: typeof fs.writeFileSync = (file, data, options) => {
    if (disk.fullAfter === undefined) return fs.writeFileSync(file, data, options);
    fs.writeFileSync(file, String(data).slice(0, disk.fullAfter), options);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...fs, writeFileSync, default: { ...fs, writeFileSync } };
});

const folder = mkdtempSync(join(tmpdir(), 'poortwachter-atomic-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes the file, making its folder, and leaves nothing else beside it', () => {
    const file = join(folder, 'new', 'heads.json');
    writeFileAtomic(file, '{"a":1}\n');
    writeFileAtomic(file, '{"a":2}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}\n');
    expect(readdirSync(join(folder, 'new'))).toEqual(['heads.json']);
  });

  it('gives the mode asked for, also over a file that had another, and otherwise keeps the mode it had', () => {
    const file = join(folder, 'token');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o644);
    writeFileAtomic(file, 'secret\n', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'again\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(file, 'utf8')).toBe('again\n');
  });

  it('leaves the old file whole when a write fails halfway, and removes its temporary file', () => {
    const file = join(folder, 'kept', 'heads.json');
    writeFileAtomic(file, `${JSON.stringify({ seen: 'old' })}\n`, { mode: 0o600 });
    disk.fullAfter = 5;
    try {
      expect(() => writeFileAtomic(file, `${JSON.stringify({ seen: 'new', pad: 'x'.repeat(1000) })}\n`)).toThrow(
        /ENOSPC/,
      );
    } finally {
      disk.fullAfter = undefined;
    }
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ seen: 'old' });
    expect(readdirSync(join(folder, 'kept'))).toEqual(['heads.json']);
  });

  it('writes through a symbolic link (also a chain, a relative one, a dangling one) to its target, and keeps the link', () => {
    const at = join(folder, 'links');
    mkdirSync(join(at, 'real'), { recursive: true });
    writeFileSync(join(at, 'real', 'heads.json'), 'old\n');
    chmodSync(join(at, 'real', 'heads.json'), 0o640);
    symlinkSync('real/heads.json', join(at, 'step.json'));
    symlinkSync(join(at, 'step.json'), join(at, 'heads.json'));
    writeFileAtomic(join(at, 'heads.json'), 'new\n');
    expect(lstatSync(join(at, 'heads.json')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(at, 'step.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(at, 'real', 'heads.json'), 'utf8')).toBe('new\n');
    expect(statSync(join(at, 'real', 'heads.json')).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(at, 'real'))).toEqual(['heads.json']);
    // A link to a file that does not exist yet (in a folder that does not either): that file is made.
    symlinkSync(join(at, 'later', 'heads.json'), join(at, 'dangling.json'));
    writeFileAtomic(join(at, 'dangling.json'), 'first\n', { mode: 0o600 });
    expect(lstatSync(join(at, 'dangling.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(at, 'later', 'heads.json'), 'utf8')).toBe('first\n');
    expect(statSync(join(at, 'later', 'heads.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a loop of links', () => {
    symlinkSync(join(folder, 'loop-b'), join(folder, 'loop-a'));
    symlinkSync(join(folder, 'loop-a'), join(folder, 'loop-b'));
    expect(() => writeFileAtomic(join(folder, 'loop-a'), 'x')).toThrow(/ELOOP/);
  });
});
