import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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
 * error the temporary file is removed and `path` is untouched. A `path` that is a symbolic link (also
 * one to a file that does not exist yet) is written through: its target is replaced, the link stays.
 *
 * @example
 * writeFileAtomic('./data/auditor-heads.json', `${JSON.stringify(heads, null, 2)}\n`, { mode: 0o600 });
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: WriteFileAtomicOptions = {}) {
  // Renaming over a symbolic link would replace the link and leave its target as it was.
  const target = resolveLinks(path);
  const folder = dirname(target);
  mkdirSync(folder, { recursive: true, ...(options.directoryMode ? { mode: options.directoryMode } : {}) });
  const mode = options.mode ?? existingMode(target);
  const temporary = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
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
    renameSync(temporary, target);
  } catch (error) {
    if (open) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(folder);
}

/**
 * The file a path names after following symbolic links in its last part, also when that file does not
 * exist yet (a dangling link names the file it will be). A path that is no link is returned as it is.
 *
 * @example
 * resolveLinks('./data/auditor-heads.json'); // '/srv/audit/heads.json' when the former links there
 */
export function resolveLinks(path: string): string {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    let target: string;
    try {
      target = readlinkSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // EINVAL: not a link; ENOENT: nothing there (yet); UNKNOWN: Windows, for a plain file.
      if (code === 'EINVAL' || code === 'ENOENT' || code === 'UNKNOWN') return current;
      throw error;
    }
    current = resolve(dirname(current), target);
  }
  throw Object.assign(new Error(`ELOOP: too many symbolic links, ${path}`), { code: 'ELOOP' });
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
