import { join } from 'node:path';
import { FileLockedError } from '../file-lock.ts';
import {
  directoryLogKeys,
  openWitness,
  startWitnessServer,
  type WitnessEvent,
  WitnessKeyError,
  witnessKey,
  witnessKeyFile,
} from '../witness/index.ts';
import { CliExit, registryOptions, runCommand } from './common.ts';
import { dataDir } from './data-dir.ts';
import type { ValuesOf } from './definitions.ts';
import { pagePort } from './local-page.ts';
import { print, printError, shown } from './output.ts';

/** The witness's name, folder and key file from the options, else the environment, else the defaults. */
function witnessSettings(values: { name?: string; 'data-dir'?: string; key?: string }) {
  const name = values.name ?? process.env.WITNESS_NAME;
  if (!name) throw new CliExit(2, 'Give the witness a name: --name (or WITNESS_NAME), such as example.org/witness.');
  const folder = values['data-dir'] ?? (process.env.WITNESS_DATA_DIR || dataDir());
  const keyFile = witnessKeyFile(folder, values.key ?? (process.env.WITNESS_KEY_FILE || undefined));
  return { name, folder, keyFile };
}

const setupError = (error: unknown): never => {
  if (error instanceof WitnessKeyError) throw new CliExit(2, error.message);
  if (error instanceof FileLockedError)
    throw new CliExit(
      2,
      `Another witness uses this data folder (${error.message}): give each witness its own --data-dir.`,
    );
  throw error;
};

/**
 * `poortwachter witness vkey --name NAME [--data-dir DIR] [--key FILE]`: prints the witness's verifier
 * key (C2SP vkey, type 0x04) for the registry operator; makes the key first when it does not exist yet,
 * as `witness serve` would on its first start.
 */
export async function witnessVkeyCommand(values: ValuesOf<'witness vkey'>): Promise<number> {
  return runCommand(async () => {
    const { name, keyFile } = witnessSettings(values);
    const key = await witnessKey(keyFile, name).catch(setupError);
    if (key.created) printError(shown`made a new witness key in ${keyFile}\n`);
    print(shown`${key.vkey}\n`);
    return 0;
  });
}

/**
 * `poortwachter witness serve --name NAME [--port 8313] [--host 127.0.0.1] [--data-dir DIR]`: a witness
 * (C2SP tlog-witness) for the logs of the organisations in the registry's verified directory and for the
 * registry's change log. It keeps the latest checkpoint it cosigned per log in its data folder and its
 * key beside it (made on the first start).
 */
export async function witnessServeCommand(values: ValuesOf<'witness serve'>): Promise<number> {
  return runCommand(async () => {
    const { name, folder, keyFile } = witnessSettings(values);
    const { port, source } = pagePort(values.port, 8313);
    const host = values.host ?? (process.env.HOST || '127.0.0.1');
    const registry = registryOptions(values);
    const logKeys = directoryLogKeys(registry);
    const log = (event: WitnessEvent) => {
      const line = shown`${JSON.stringify({ time: new Date().toISOString(), witness: name, ...event })}\n`;
      if (event.event === 'inconsistent') printError(line);
      else print(line);
    };
    const witness = await openWitness({ name, dataDir: folder, keyFile, logKeys, log }).catch(setupError);
    let unwatch: (() => void) | undefined;
    try {
      // The first directory now, so that /readyz is true at once (a registry that is down: tried every 5 s).
      await logKeys.refresh();
      unwatch = logKeys.watch();
      const listening = await startWitnessServer(witness, { port, host }).catch((error: NodeJS.ErrnoException) => {
        throw new CliExit(
          2,
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} (from ${source}) is in use by another program: stop it, or give a free port with --port.`
            : error.message,
        );
      });
      if (witness.key.created) printError(shown`made a new witness key in ${keyFile}\n`);
      const first = logKeys.status();
      if (!first.ready)
        printError(
          shown`no verified directory yet (${first.lastError ?? 'not fetched'}): /readyz says 503 until it has one, tried again every 5 s\n`,
        );
      print(
        shown`witness ${name} on ${listening.url}/ (state in ${join(folder, 'witness')})\nvkey ${witness.key.vkey}\n`,
      );
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) return listening.server.closeAllConnections();
          stopping = true;
          void listening.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        // Started by a supervisor with an IPC channel (`pnpm start`): its end means the supervisor is gone.
        if (process.send) process.once('disconnect', stop);
      });
      // As every server of the system says it (a supervisor shows it as `[witness-…] stopped`).
      print(shown`stopped\n`);
      return 0;
    } finally {
      unwatch?.();
      witness.release();
    }
  });
}
