import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.ts';
import { type FileLock, lockFile } from '../file-lock.ts';
import {
  formatHeadsFile,
  type HeadConflict,
  HeadsFileError,
  mergeSeenHeads,
  noHeadsSeen,
  parseHeadsFile,
  type SeenHeads,
} from './heads-file.ts';

export {
  type HeadConflict,
  HeadsFileError,
  type KnownHead,
  listSeenHeads,
  noHeadsSeen,
  type ProvenUpTo,
  type SeenHeads,
} from './heads-file.ts';

/** Where an auditor keeps the heads it has seen, per provider and log. */
export interface HeadStore {
  load(): Promise<SeenHeads>;
  /**
   * Saves the heads seen now, merged into whatever was saved since they were loaded: per log the
   * newer head, never an older one over a newer. Returns the logs where two heads of the same size
   * differ (a fork); for those the head saved before is kept.
   */
  save(heads: SeenHeads): Promise<readonly HeadConflict[]>;
}

/**
 * Heads in a small JSON file (mode 0600), e.g. `./data/auditor-heads.json`. A missing file is an
 * auditor's first run (no heads); a file that is not heads is a `HeadsFileError`; a file of the first
 * format (heads keyed by gateway URL) is read as unattributed heads and written in this format. Saving
 * takes the file's lock (`lock()`: for a whole run), re-reads the file, merges, and replaces it
 * atomically (through a symbolic link to its target), so a crash while saving leaves the heads of the
 * run before and a run that saves late never moves a log's anchor back.
 */
export function fileHeadStore(path: string): HeadStore & {
  /** Takes the heads file's exclusive lock until `release()`; throws `FileLockedError` when another holds it. */
  lock(): FileLock;
} {
  let held: FileLock | undefined;
  let loaded: SeenHeads | undefined;
  const read = (): SeenHeads | undefined => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new HeadsFileError(path, (error as Error).message);
    }
    return parseHeadsFile(path, text);
  };
  return {
    lock() {
      const lock = lockFile(path, { directoryMode: 0o700 });
      held = lock;
      return {
        lockPath: lock.lockPath,
        release() {
          if (held === lock) held = undefined;
          lock.release();
        },
      };
    },
    async load() {
      loaded = read() ?? noHeadsSeen();
      return loaded;
    },
    async save(heads) {
      const lock = held ? undefined : lockFile(path, { directoryMode: 0o700 });
      try {
        const { heads: merged, conflicts } = mergeSeenHeads(loaded ?? noHeadsSeen(), read() ?? noHeadsSeen(), heads);
        writeFileAtomic(path, formatHeadsFile(merged), { mode: 0o600, directoryMode: 0o700 });
        loaded = merged;
        return conflicts;
      } finally {
        lock?.release();
      }
    },
  };
}

/** Heads kept in memory (tests), saved with the same merge as the file. */
export function memoryHeadStore(initial: SeenHeads = noHeadsSeen()): HeadStore & { heads: SeenHeads } {
  let loaded = noHeadsSeen();
  const store = {
    heads: initial,
    async load() {
      loaded = store.heads;
      return loaded;
    },
    async save(heads: SeenHeads) {
      const { heads: merged, conflicts } = mergeSeenHeads(loaded, store.heads, heads);
      store.heads = merged;
      loaded = merged;
      return conflicts;
    },
  };
  return store;
}
