import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeSecretFile } from '@poortwachter/registry';
import type { DirectoryProvider } from '../directory/directory-provider.ts';

/**
 * What every server entry of this package reads from its environment, failing the start with the
 * variable's name and exit code 2 on anything it cannot use.
 */
export function startupEnvironment(component: string, env: NodeJS.ProcessEnv = process.env) {
  const fail = (message: string): never => {
    console.error(`${component}: ${message}`);
    process.exit(2);
  };
  /** A positive integer from the environment, or its default. */
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0)
      fail(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
    return value;
  };
  /** `PORT`, or the default. */
  const port = (fallback: number): number => {
    const value = Number(env.PORT || fallback);
    if (!Number.isInteger(value) || value < 0 || value > 65535)
      fail(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
    return value;
  };
  /** A key kept in a 0600 file: made (32 random bytes, base64) on first start, read ever after. */
  const secretKey = (file: string): Buffer => {
    if (!existsSync(file)) writeSecretFile(file, `${randomBytes(32).toString('base64')}\n`);
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  };
  return { fail, positive, port, secretKey };
}

/**
 * Waits for the first verified directory (the registry may still be starting), at most 30 s, saying
 * once that it retries; then starts the background refresh.
 */
export async function awaitDirectory(
  directory: DirectoryProvider & { refresh(): Promise<void>; start(): Promise<void> },
  component: string,
  registryUrl: string,
): Promise<void> {
  for (let attempt = 0; attempt < 60 && directory.status().serial === undefined; attempt++) {
    await directory.refresh();
    if (directory.status().serial === undefined) {
      if (attempt === 0) {
        console.warn(
          `${component}: registry at ${registryUrl} not reachable yet (${directory.status().lastError}); retrying`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await directory.start();
  if (directory.status().serial === undefined) {
    console.warn(`${component}: no directory from ${registryUrl} yet; refusing requests until there is one`);
  }
}

/**
 * On SIGINT or SIGTERM (once): stops the directory refresh, stops taking requests, lets the in-flight
 * ones finish, then runs `close` (drain the pending log batch, close the database) and exits 0.
 */
export function stopOnSignals(
  server: { close(callback: () => void): unknown },
  directory: { stop(): void },
  close: () => Promise<void>,
): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      directory.stop();
      server.close(async () => {
        await close();
        process.exit(0);
      });
    });
  }
}
