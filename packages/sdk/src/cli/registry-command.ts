import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryVerificationError } from '@poortwachter/protocol';
import { writeFileAtomic } from '../atomic-file.ts';
import {
  ChangeLogWitnessError,
  type RememberedChangeLogHead,
  verifyChangeLog,
  verifyContractSignatures,
} from '../audit/change-log.ts';
import { fetchDirectory } from '../directory-client.ts';
import { CliExit, registryOptions, runCommand } from './common.ts';
import { dataDir } from './data-dir.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, shown } from './output.ts';

/** The heads file: the last verified change log head per registry URL. */
type HeadsFile = Record<string, RememberedChangeLogHead>;

function readHeads(file: string): HeadsFile {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as HeadsFile;
  } catch (error) {
    throw new CliExit(
      2,
      `The heads file ${file} cannot be read (${error instanceof Error ? error.message : String(error)}): nothing was checked. Restore it, or pass another --heads.`,
    );
  }
}

/**
 * `poortwachter registry verify`: checks the registry's history (its verifiable change log) against
 * the head remembered from the last run (./data/registry-heads.json), and remembers the new head only
 * when everything adds up, its checkpoint cosigned by the quorum of the directory's witnesses among
 * it, and that the directory agrees with that log's contract changes. Exits 1 on a rewritten history, a
 * directory that differs from it, or a head without that quorum, 2 on a heads file it cannot read.
 */
export async function registryVerifyCommand(values: ValuesOf<'registry verify'>): Promise<number> {
  return runCommand(async () => {
    const headsFile = values.heads ?? join(dataDir(), 'registry-heads.json');
    const heads = readHeads(headsFile);
    const { registryUrl, registryKey, anchors } = registryOptions(values);
    // The directory as the registry signed it (before any trust step): its witnesses and quorum, and
    // every contract signature in it.
    const directory = await fetchDirectory({ registryUrl, registryKey });
    let result: Awaited<ReturnType<typeof verifyChangeLog>>;
    try {
      result = await verifyChangeLog({ registryUrl, registryKey, remembered: heads[registryUrl], directory });
    } catch (error) {
      if (error instanceof ChangeLogWitnessError) {
        print(
          error.code === 'quorum'
            ? shown`FAIL  cannot get a witnessed head of the registry's change log: ${error.message} Nothing was accepted or remembered; try again when the witnesses have cosigned (see the registry's /readyz).\n`
            : shown`FAIL  the registry's change-log checkpoint: ${error.message} Nothing was accepted or remembered.\n`,
        );
        return 1;
      }
      if (!(error instanceof DirectoryVerificationError)) throw error;
      print(shown`FAIL  the registry's change log head: ${error.message}\n`);
      return 1;
    }
    const contracts = await verifyContractSignatures(directory, anchors);
    const ok = result.findings.length === 0 && contracts.findings.length === 0;
    if (ok) writeFileAtomic(headsFile, `${JSON.stringify({ ...heads, [registryUrl]: result.head }, null, 2)}\n`);
    if (values.json) {
      print(
        jsonText({
          consistent: ok,
          head: result.head,
          changesChecked: result.changesChecked,
          witnessed: result.witnessed,
          findings: [...result.findings, ...contracts.findings],
          discounted: contracts.discounted,
        }),
      );
      return ok ? 0 : 1;
    }
    const previous = heads[registryUrl];
    if (ok) {
      const since = previous ? `consistent with size ${previous.tree_size} seen before` : 'first seen now';
      const { cosigners, quorum } = result.witnessed;
      const witnessed =
        quorum === 0
          ? 'not witnessed (the directory lists no witnesses)'
          : `cosigned by ${cosigners.length} witnesses (${cosigners.map((w) => w.name).join(', ')}; quorum ${quorum})`;
      print(
        shown`OK    registry ${registryUrl}: ${result.head.tree_size} changes, signed head verified, ${witnessed}, ${since}, all ${result.changesChecked} changes match their leaves; ${contracts.signatures} signatures on ${contracts.contracts} contracts verified against the trust anchors and found in the change log\n`,
      );
      printDiscounted(contracts.discounted);
      return 0;
    }
    print(shown`FAIL  registry ${registryUrl}:\n`);
    for (const finding of [...result.findings, ...contracts.findings]) print(shown`      - ${finding}\n`);
    print(shown`\nTHE REGISTRY'S HISTORY WAS REWRITTEN OR ITS DIRECTORY DIFFERS FROM IT: see the findings above.\n`);
    printDiscounted(contracts.discounted);
    return 1;
  });
}

/** Signatures a later revoke of their (leaked) key discounted: information, not a finding. */
function printDiscounted(discounted: readonly string[]): void {
  for (const line of discounted) print(shown`INFO  ${line}\n`);
}
