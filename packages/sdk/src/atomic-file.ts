import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** The file's mode (e.g. `0o600` for a secret); by default an existing file's mode is kept. */
  readonly mode?: number;
  /** The mode of a folder this makes (default `0o777` less the umask). */
  readonly directoryMode?: number;
}

/**
 * Replaces `path` with `content` so that a crash at any moment leaves either the old file or the new
 * one, never a part: the content goes to a temporary file beside it (created with the final mode, so a
 * secret is never readable by others), is flushed to disk (fsync), renamed over `path`, and the folder
 * is flushed so the rename itself survives a power cut (where the platform can; not on Windows). On an
 * error the temporary file is removed and `path` is untouched.
 *
 * @example
 * writeFileAtomic('./data/auditor-heads.json', `${JSON.stringify(heads, null, 2)}\n`, { mode: 0o600 });
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: WriteFileAtomicOptions = {}) {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, ...(options.directoryMode ? { mode: options.directoryMode } : {}) });
  const mode = options.mode ?? existingMode(path);
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse something already at the temporary name.
  const fd = openSync(temporary, 'wx', mode ?? 0o666);
  let open = true;
  try {
    // The umask may have narrowed the mode the file was created with; the caller's mode is the one asked for.
    if (mode !== undefined) fchmodSync(fd, mode);
    writeFileSync(fd, content);
    fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    if (open) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(folder);
}

function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Flushes a folder's entries (the rename) to disk; a no-op where folders cannot be opened or synced. */
function syncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some file systems (and some network mounts) refuse fsync on a folder: the file itself is safe.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES')
      throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
