import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64, toBase64 } from '@poortwachter/protocol';
import { writeFileAtomic } from '../atomic-file.ts';

/** What a witness keeps of one log: the latest checkpoint it cosigned. */
export interface WitnessLogState {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The checkpoint as the witness serves it to monitors: the log's verified signatures and its own. */
  readonly note: string;
  /** When it cosigned it (POSIX seconds): the timestamp of its cosignature. */
  readonly cosignedAt: number;
}

/** The file of one log's state (snake_case like the project's other files). */
interface StateFile {
  readonly origin: string;
  readonly size: number;
  readonly root_hash: string;
  readonly note: string;
  readonly cosigned_at: number;
}

/** A state file that cannot be read as one: the witness stops rather than forget what it cosigned. */
export class WitnessStateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WitnessStateError';
  }
}

/** The hex SHA-256 of an origin: the name of its state file and of its monitoring path (C2SP tlog-witness). */
export const originHash = (origin: string): string => createHash('sha256').update(origin, 'utf8').digest('hex');

/**
 * A witness's state, one file per log in `folder` (`<sha256hex(origin)>.json`), each written atomically.
 * `update` runs check-and-write for one origin under an in-process lock, so two concurrent requests for
 * the same log are decided one after the other and can never roll it back (C2SP tlog-witness's race);
 * requests for different logs do not wait for each other. One process owns the folder (the server takes
 * its file lock), so the in-process lock is the whole lock.
 *
 * @example
 * const store = witnessStore('./data/getuige-ap/witness');
 * await store.update(origin, async (current) => (current?.size ?? 0) < 5 ? next : undefined);
 */
export function witnessStore(folder: string) {
  const queues = new Map<string, Promise<unknown>>();
  const fileOf = (origin: string) => join(folder, `${originHash(origin)}.json`);

  function read(origin: string): WitnessLogState | undefined {
    const file = fileOf(origin);
    if (!existsSync(file)) return undefined;
    return readStateFile(file, origin);
  }

  /** By the hash of its origin (the monitoring path), without knowing the origin. */
  function readByHash(hash: string): WitnessLogState | undefined {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const file = join(folder, `${hash}.json`);
    if (!existsSync(file)) return undefined;
    return readStateFile(file, undefined);
  }

  /**
   * Runs `decide` with the origin's current state, alone among the calls for that origin; when it
   * returns a new state, that state is on disk before `update` resolves. Its result is `decide`'s.
   */
  function update<T>(
    origin: string,
    decide: (current: WitnessLogState | undefined) => Promise<{ next?: WitnessLogState; result: T }>,
  ): Promise<T> {
    const previous = queues.get(origin) ?? Promise.resolve();
    const run = previous.then(async () => {
      const { next, result } = await decide(read(origin));
      if (next) write(next);
      return result;
    });
    // The queue continues after a failure; only the tail is kept, so it does not grow.
    const tail = run.catch(() => undefined);
    queues.set(origin, tail);
    void tail.then(() => {
      if (queues.get(origin) === tail) queues.delete(origin);
    });
    return run;
  }

  function write(state: WitnessLogState): void {
    const file: StateFile = {
      origin: state.origin,
      size: state.size,
      root_hash: toBase64(state.rootHash),
      note: state.note,
      cosigned_at: state.cosignedAt,
    };
    writeFileAtomic(fileOf(state.origin), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, directoryMode: 0o700 });
  }

  return { folder, read, readByHash, update };
}

export type WitnessStore = ReturnType<typeof witnessStore>;

function readStateFile(file: string, origin: string | undefined): WitnessLogState {
  let parsed: Partial<StateFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<StateFile>;
  } catch (cause) {
    throw new WitnessStateError(`The witness state ${file} cannot be read as JSON.`, { cause });
  }
  const { size, root_hash, note, cosigned_at } = parsed;
  if (
    typeof parsed.origin !== 'string' ||
    (origin !== undefined && parsed.origin !== origin) ||
    !Number.isSafeInteger(size) ||
    (size as number) < 0 ||
    typeof root_hash !== 'string' ||
    typeof note !== 'string' ||
    !Number.isSafeInteger(cosigned_at)
  )
    throw new WitnessStateError(`The witness state ${file} is not a state of log ${origin ?? '(any)'}.`);
  const rootHash = fromBase64(root_hash);
  if (rootHash.length !== 32) throw new WitnessStateError(`The witness state ${file} has no 32-byte root hash.`);
  return { origin: parsed.origin, size: size as number, rootHash, note, cosignedAt: cosigned_at as number };
}
