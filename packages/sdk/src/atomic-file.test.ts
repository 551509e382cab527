import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
});
