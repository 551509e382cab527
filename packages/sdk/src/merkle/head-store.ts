import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.ts';

/** A tree head the auditor has verified and keeps, to check every later head against. */
export interface KnownHead {
  readonly tree_size: number;
  readonly root_hash: string;
  readonly timestamp: number;
  readonly jws: string;
  readonly seenAt: string;
}

/** Where an auditor keeps the heads it has seen, per gateway and log. */
export interface HeadStore {
  load(): Promise<Record<string, KnownHead>>;
  save(heads: Record<string, KnownHead>): Promise<void>;
}

/**
 * The heads file cannot be read as heads. It is the auditor's memory of what every log signed before:
 * starting over without it would let a rewritten or forked log pass as "first seen", so this is an
 * error to act on (restore the file, or move it away to start over knowingly), never an empty start.
 */
export class HeadsFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      `The heads file ${path} is not readable as the heads seen before (${reason}). It is what later heads ` +
        'are checked against, so nothing was checked and it was left as it is: restore it from a backup, ' +
        'or move it away to start over knowingly.',
    );
    this.name = 'HeadsFileError';
  }
}

/**
 * Heads in a small JSON file (mode 0600), e.g. `./data/auditor-heads.json`. A missing file is an
 * auditor's first run (no heads); a file that is not heads is a `HeadsFileError`. Saving replaces the
 * file atomically, so a crash while saving leaves the heads of the run before.
 */
export function fileHeadStore(path: string): HeadStore {
  return {
    async load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw new HeadsFileError(path, (error as Error).message);
      }
      return parseHeads(path, text);
    },
    async save(heads) {
      writeFileAtomic(path, `${JSON.stringify(heads, null, 2)}\n`, { mode: 0o600, directoryMode: 0o700 });
    },
  };
}

function parseHeads(path: string, text: string): Record<string, KnownHead> {
  let heads: unknown;
  try {
    heads = JSON.parse(text);
  } catch (error) {
    throw new HeadsFileError(path, text.trim() === '' ? 'it is empty' : `not JSON: ${(error as Error).message}`);
  }
  if (typeof heads !== 'object' || heads === null || Array.isArray(heads))
    throw new HeadsFileError(path, 'not a JSON object of heads');
  for (const [key, head] of Object.entries(heads)) {
    const h = head as Partial<Record<keyof KnownHead, unknown>> | null;
    if (
      typeof h !== 'object' ||
      h === null ||
      !Number.isSafeInteger(h.tree_size) ||
      (h.tree_size as number) < 0 ||
      typeof h.root_hash !== 'string' ||
      typeof h.timestamp !== 'number' ||
      typeof h.jws !== 'string' ||
      typeof h.seenAt !== 'string'
    )
      throw new HeadsFileError(
        path,
        `the head of ${JSON.stringify(key)} lacks tree_size, root_hash, timestamp, jws or seenAt`,
      );
  }
  return heads as Record<string, KnownHead>;
}

/** Heads kept in memory (tests). */
export function memoryHeadStore(
  initial: Record<string, KnownHead> = {},
): HeadStore & { heads: Record<string, KnownHead> } {
  const store = {
    heads: { ...initial },
    async load() {
      return { ...store.heads };
    },
    async save(heads: Record<string, KnownHead>) {
      store.heads = { ...heads };
    },
  };
  return store;
}
