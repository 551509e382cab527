import { join } from 'node:path';
import { type FileLock, lockFile } from '../file-lock.ts';
import type { WitnessEvent, WitnessService } from './add-checkpoint.ts';
import type { LogKeySource } from './log-keys.ts';
import { witnessKey } from './witness-key.ts';
import { witnessStore } from './witness-state.ts';

export interface OpenWitnessOptions {
  /** The witness's key name (`poortwachter.example/getuige-ap`). */
  readonly name: string;
  /** Its own folder: `witness-key.jwk.json` and `witness/<sha256hex(origin)>.json` per log. */
  readonly dataDir: string;
  /** Its key elsewhere than `<dataDir>/witness-key.jwk.json` (made there on first start when missing). */
  readonly keyFile?: string;
  readonly logKeys: LogKeySource;
  readonly now?: () => number;
  readonly log?: (event: WitnessEvent) => void;
}

/** The file of a witness's key in its data folder, unless WITNESS_KEY_FILE names another. */
export const witnessKeyFile = (dataDir: string, keyFile?: string): string =>
  keyFile ?? join(dataDir, 'witness-key.jwk.json');

/**
 * A witness on its data folder: its key (made on the first start), its state per log, and the folder's
 * lock (`<dataDir>/witness.lock`), so that a second witness process on the same state refuses to start
 * (`FileLockedError`) instead of deciding beside it. `release()` gives the lock back.
 *
 * @example
 * const witness = await openWitness({ name, dataDir: './data/getuige-ap', logKeys });
 * const { url } = await startWitnessServer(witness, { port: 8314 });
 */
export async function openWitness(options: OpenWitnessOptions): Promise<WitnessService & { release(): void }> {
  const folder = join(options.dataDir, 'witness');
  const lock: FileLock = lockFile(folder, { directoryMode: 0o700 });
  try {
    const key = await witnessKey(witnessKeyFile(options.dataDir, options.keyFile), options.name);
    return {
      key,
      store: witnessStore(folder),
      logKeys: options.logKeys,
      ...(options.now ? { now: options.now } : {}),
      ...(options.log ? { log: options.log } : {}),
      release: () => lock.release(),
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
