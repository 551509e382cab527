import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { resolveLinks } from './atomic-file.ts';

/** Who holds a lock, as its lock file says. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When it took the lock (ISO 8601). */
  readonly since: string;
  readonly token: string;
}

/** Another process holds the lock (or its lock file cannot be read as one that was left behind). */
export class FileLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `${lockPath} is held by process ${holder.pid} on ${holder.host} since ${holder.since}`
        : `${lockPath} is held by another process`,
    );
    this.name = 'FileLockedError';
  }
}

/** An exclusive lock on a file, until `release()`. */
export interface FileLock {
  /** The lock file: `<file>.lock` beside the file (its symbolic links followed). */
  readonly lockPath: string;
  /** Removes the lock file, if it is still this lock's. */
  release(): void;
}

/** A lock file this young may still be being written by its holder; an older unreadable one was left behind. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Takes the exclusive lock of `path`: creates `<path>.lock` (never over an existing one) holding this
 * process's id, host and a token. Where the lock is held by a process that no longer runs on this host
 * (killed, so it could not release it), the lock is taken over; otherwise throws `FileLockedError`
 * naming the holder. Writers that take the lock before they read never interleave a read and a write.
 * The file's folder is made (with `directoryMode`) when it does not exist yet.
 *
 * @example
 * const lock = lockFile('./data/auditor-heads.json');
 * try { … read, check, write … } finally { lock.release(); }
 */
export function lockFile(path: string, options: { directoryMode?: number } = {}): FileLock {
  const lockPath = `${resolveLinks(path)}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true, ...(options.directoryMode ? { mode: options.directoryMode } : {}) });
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(lockPath);
      if (current === 'gone') continue;
      if (!leftBehind(lockPath, current)) throw new FileLockedError(lockPath, current);
      breakLock(lockPath, current);
      continue;
    }
    try {
      writeFileSync(fd, `${JSON.stringify(holder)}\n`);
    } finally {
      closeSync(fd);
    }
    return {
      lockPath,
      release() {
        const current = readHolder(lockPath);
        if (current !== 'gone' && current?.token === holder.token) rmSync(lockPath, { force: true });
      },
    };
  }
  throw new FileLockedError(lockPath, undefined);
}

function readHolder(lockPath: string): LockHolder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isSafeInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.token === 'string')
      return holder as LockHolder;
  } catch {
    // not (yet) a whole holder: judged by its age below
  }
  return undefined;
}

/** Whether a lock was left behind by a process that ended without releasing it. */
function leftBehind(lockPath: string, holder: LockHolder | undefined): boolean {
  if (holder === undefined) {
    try {
      return Date.now() - statSync(lockPath).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
  // A process on another host cannot be asked; its lock stands until someone removes it.
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a lock left behind. It is first moved aside (atomic), then checked to be the one judged: if
 * another process took the lock over in between, its lock is put back where it was.
 */
function breakLock(lockPath: string, judged: LockHolder | undefined): void {
  const aside = `${lockPath}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  const same = moved !== 'gone' && moved?.token === judged?.token;
  if (!same) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // someone took the lock in the meantime: theirs stands
    }
  }
  rmSync(aside, { force: true });
}
