import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { failSetting, type Logger } from '@poortwachter/operations';
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { writeSecretFile } from '@poortwachter/registry';
import type { DirectoryProvider } from '../directory/directory-provider.ts';

/** A key kept in a 0600 file (the log's pseudonym key): made (32 random bytes, base64) on first start, read ever after. */
export function secretKey(file: string): Buffer {
  if (!existsSync(file)) writeSecretFile(file, `${randomBytes(32).toString('base64')}\n`);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/**
 * The log keys of before a rotation (`LOG_PREVIOUS_KEY_FILES`), never made: each must exist and hold at
 * least 32 bytes, base64, or the start stops naming it.
 */
export function previousLogKeys(files: readonly string[] = []): Buffer[] {
  return files.map((file) => {
    const key = existsSync(file) ? Buffer.from(readFileSync(file, 'utf8').trim(), 'base64') : undefined;
    if (!key || key.length < 32) {
      return failSetting(
        `LOG_PREVIOUS_KEY_FILES: ${file} ${key ? 'holds fewer than 32 bytes (base64)' : 'does not exist'}; it accepts files of earlier log keys, comma-separated`,
      );
    }
    return key;
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
