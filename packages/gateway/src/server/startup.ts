import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { failSetting, type Logger, readSettingFile } from '@poortwachter/operations';
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { writeSecretFile } from '@poortwachter/registry';
import type { DirectoryProvider } from '../directory/directory-provider.ts';

/** The fewest bytes a log key holds: the pseudonyms are HMAC-SHA-256 under it. */
const LOG_KEY_BYTES = 32;

/** The log key in `file`, which setting `name` names: at least 32 bytes, base64, or the start stops naming it. */
function logKeyIn(name: string, file: string, accepts: string): Buffer {
  const key = Buffer.from(readSettingFile(name, file, failSetting).toString('utf8').trim(), 'base64');
  if (key.length < LOG_KEY_BYTES)
    failSetting(
      `${name} must name ${accepts}, ${file} holds ${key.length} bytes (base64) where it needs ${LOG_KEY_BYTES}`,
    );
  return key;
}

/**
 * A key kept in a 0600 file (the log's pseudonym key, `LOG_KEY_FILE`): made (32 random bytes, base64) on
 * first start, read ever after; a file that holds fewer than 32 bytes stops the start naming the setting.
 */
export function secretKey(file: string, name = 'LOG_KEY_FILE'): Buffer {
  if (!existsSync(file)) writeSecretFile(file, `${randomBytes(LOG_KEY_BYTES).toString('base64')}\n`);
  return logKeyIn(
    name,
    file,
    `a file holding a log key of at least ${LOG_KEY_BYTES} bytes, base64 (made on first start)`,
  );
}

/**
 * The log keys of before a rotation (`LOG_PREVIOUS_KEY_FILES`), never made: each must exist and hold at
 * least 32 bytes, base64, or the start stops naming it.
 */
export function previousLogKeys(files: readonly string[] = []): Buffer[] {
  const accepts = 'files of earlier log keys, comma-separated, each at least 32 bytes (base64)';
  return files.map((file) => {
    if (!existsSync(file)) return failSetting(`LOG_PREVIOUS_KEY_FILES: ${file} does not exist; it accepts ${accepts}`);
    return logKeyIn('LOG_PREVIOUS_KEY_FILES', file, accepts);
  });
}

/**
 * Waits for the first verified directory (the registry may still be starting), saying at once that the
 * registry is not reachable and why, and then every 10 s that it is still retrying. With `wait: false`
 * it returns after the first attempt (the server then refuses with directoryUnavailable until one
 * arrives). Then starts the background refresh.
 */
export async function awaitDirectory(
  directory: DirectoryProvider & { refresh(): Promise<void>; start(): Promise<void> },
  log: Logger,
  registryUrl: string,
  options: { wait?: boolean } = {},
): Promise<void> {
  const started = Date.now();
  let said = 0;
  await directory.refresh();
  while (directory.status().serial === undefined) {
    const waited = Math.round((Date.now() - started) / 1000);
    if (said === 0 || waited - said >= 10) {
      log.warn(
        { registry_url: registryUrl, waited_s: waited, cause: directory.status().lastError },
        `registry at ${registryUrl} not reachable (${directory.status().lastError ?? 'no answer'}); retrying`,
      );
      said = Math.max(waited, 1);
    }
    if (options.wait === false) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await directory.refresh();
  }
  await directory.start();
  if (directory.status().serial === undefined) {
    log.warn({ registry_url: registryUrl }, 'no directory yet: refusing requests until there is one');
  } else if (said > 0) {
    log.info(
      { registry_url: registryUrl, serial: directory.status().serial },
      'registry reachable, directory verified',
    );
  }
}

/**
 * Why a maximum directory age cannot work with this registry, or undefined when it can: the registry
 * re-signs an unchanged snapshot every `resign_interval_seconds` (stated in the snapshot), so a
 * snapshot may be that old when fetched; the gateway needs two refresh rounds and a fetch timeout on top.
 */
export function maxAgeProblem(
  snapshot: DirectorySnapshot,
  maxAgeSeconds: number,
  refreshSeconds: number,
): string | undefined {
  const resign = snapshot.resign_interval_seconds ?? 60;
  const needed = Math.ceil(resign + 2 * refreshSeconds + 5);
  if (maxAgeSeconds >= needed) return undefined;
  return `DIRECTORY_MAX_AGE_SECONDS=${maxAgeSeconds} is too short: the registry re-signs its snapshot every ${resign} s and the directory is refreshed every ${refreshSeconds} s, so a fresh snapshot can be ${resign + refreshSeconds} s old; set at least ${needed}, or shorten the registry's DIRECTORY_RESIGN_SECONDS`;
}
