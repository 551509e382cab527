import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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

/** Heads in a small JSON file (mode 0600), e.g. `./data/auditor-heads.json`. */
export function fileHeadStore(path: string): HeadStore {
  return {
    async load() {
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, KnownHead>) : {};
    },
    async save(heads) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify(heads, null, 2)}\n`, { mode: 0o600 });
      chmodSync(path, 0o600);
    },
  };
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
