import { join } from 'node:path';
import { createAuditorClient } from '../auditor-client.ts';
import { FileLockedError } from '../file-lock.ts';
import { fileHeadStore, HeadsFileError } from '../merkle/head-store.ts';
import { CliExit, organisationWithKey, registryOptions, runCommand } from './common.ts';
import { dataDir } from './data-dir.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, printError, shown } from './output.ts';

/**
 * `poortwachter log verify`: as an auditor, checks every gateway's verifiable log against the heads
 * seen on earlier runs (kept in ./data/auditor-heads.json, per provider and log, each with its
 * cosigned checkpoint and the tree's edge where the records were proven) and recomputes the leaf of
 * every record added since (`--full`: of every record). Only heads the directory's quorum of
 * witnesses cosigned are checked and kept; a newer one is reported as not yet witnessed. Holds the
 * heads file's lock while it runs, so two runs never interleave; the file is replaced atomically. Exits
 * 1 and says which record or which heads when anything does not add up, or a log seen before is gone.
 */
export async function logVerifyCommand(values: ValuesOf<'log verify'>): Promise<number> {
  return runCommand(async () => {
    const headsFile = values.heads ?? join(dataDir(), 'auditor-heads.json');
    const headsStore = fileHeadStore(headsFile);
    let lock: ReturnType<typeof headsStore.lock>;
    try {
      lock = headsStore.lock();
    } catch (error) {
      if (!(error instanceof FileLockedError)) throw error;
      throw new CliExit(
        2,
        `Another log verify is using the heads file ${headsFile} (${error.message}): nothing was checked. ` +
          `Run again when it has ended; if it no longer runs, remove ${error.lockPath}.`,
      );
    }
    try {
      return await verify(values, headsFile, headsStore);
    } finally {
      lock.release();
    }
  });
}

async function verify(
  values: ValuesOf<'log verify'>,
  headsFile: string,
  headsStore: ReturnType<typeof fileHeadStore>,
): Promise<number> {
  // Read before anything is fetched: heads that cannot be read stop the run (exit 2), never an empty start.
  await headsStore.load().catch((error: unknown) => {
    throw error instanceof HeadsFileError ? new CliExit(2, error.message) : error;
  });
  const registry = registryOptions(values);
  const directory = await createAuditorClient({ oin: '', privateKey: {}, ...registry }).directory();
  const { organisation, privateKey } = organisationWithKey(directory, values.as, values.key, 'auditor');
  if (!organisation.roles.includes('auditor')) throw new CliExit(2, `${organisation.name} is not an auditor.`);
  const tty = process.stderr.isTTY;
  const result = await createAuditorClient({ oin: organisation.oin, privateKey, directory }).verifyLogs({
    heads: headsStore,
    full: !values['heads-only'],
    incremental: !values.full,
    onProgress: (p) => {
      const line = shown`recomputing ${p.logId}: ${p.done}/${p.total} records`;
      // The redraw (carriage return, erase the line) is the CLI's own; the line's values are shown.
      printError(tty ? shown`\r\x1b[2K${line}` : shown`${line}\n`);
    },
  });
  if (tty) printError(shown`\r\x1b[2K`);
  if (values.json) {
    print(jsonText(result));
    return result.consistent ? 0 : 1;
  }
  print(shown`auditor: ${organisation.name}; heads kept in ${headsFile}\n\n`);
  for (const log of result.logs) {
    const since = log.previous
      ? `consistent with size ${log.previous.tree_size} seen ${log.previous.seenAt}`
      : 'first seen now';
    const witnessed = log.witnessed
      ? `cosigned by ${log.witnessed.cosigners.length} of the ${log.witnessed.quorum} witnesses needed (${log.witnessed.cosigners.join(', ')})`
      : 'not witnessed (the directory lists no witnesses)';
    const records = values['heads-only']
      ? ''
      : log.checkedFrom
        ? `, the ${log.entriesChecked - (log.purged ?? 0)} records added since ${log.checkedFrom} match their leaves`
        : `, all ${log.entriesChecked - (log.purged ?? 0)} records match their leaves`;
    const purged = log.purged
      ? `; ${log.purged} removed by the retention purge after their bewaartermijn (leaves kept, each purge checked against the register)`
      : '';
    if (log.findings.length === 0) {
      const checked = log.witnessed || !log.notWitnessed;
      if (checked) {
        print(
          shown`OK    ${log.gateway} log ${log.logId}: ${log.head.tree_size} records, signed head verified, ${since}, ${witnessed}${records}${purged}\n`,
        );
      }
      if (log.notWitnessed) print(shown`WAIT  ${log.gateway} log ${log.logId}: ${log.notWitnessed.reason}\n`);
    } else {
      print(shown`FAIL  ${log.gateway} log ${log.logId}:\n`);
      for (const finding of log.findings) print(shown`      - ${finding}\n`);
    }
  }
  for (const m of result.missing) print(shown`MISSING ${m.gateway} (${m.service}): ${m.reason}\n`);
  for (const v of result.vanished) print(shown`FAIL  ${v.reason}\n`);
  for (const u of result.unchecked) print(shown`WARN  ${u.reason}\n`);
  const warned = result.unchecked.length > 0 ? ` ${result.unchecked.length} seen before not checked: see WARN.` : '';
  print(
    result.consistent
      ? shown`\nThe logs are consistent.${warned}\n`
      : shown`\nTAMPERING OR FORK DETECTED: see the findings above.${warned}\n`,
  );
  return result.consistent ? 0 : 1;
}
