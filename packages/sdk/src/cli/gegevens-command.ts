import { writeFileAtomic } from '../atomic-file.ts';
import { createCitizenClient } from '../citizen-client.ts';
import { downloadFile } from '../own-data.ts';
import { CliExit, registryOptions, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { citizenToken } from './dev-token.ts';
import { usageError } from './options.ts';
import { joined, jsonText, print, shown } from './output.ts';

/**
 * `poortwachter gegevens --bsn 999993653 [--download FILE]`: for development, logs in at the
 * development identity provider as a test BSN and prints what each bronhouder holds about that
 * person (label: value), each answer's signature verified; `--download` writes the signed answers.
 */
export async function gegevensCommand(values: ValuesOf<'gegevens'>): Promise<number> {
  if (!values.bsn && !values.token) return usageError('poortwachter gegevens needs --bsn, or --token.', 'gegevens');
  return runCommand(async () => {
    const token = await citizenToken(values);
    const client = createCitizenClient({ token, ...registryOptions(values) });
    const result = await client.gegevens();
    const complete = result.missing.length === 0;
    if (values.download) {
      // Personal data: readable by the citizen only.
      try {
        writeFileAtomic(values.download, `${JSON.stringify(downloadFile(result), null, 2)}\n`, { mode: 0o600 });
      } catch (error) {
        throw new CliExit(2, `--download ${values.download} cannot be written: ${(error as Error).message}`);
      }
    }
    if (values.json) {
      print(jsonText(result));
      return complete ? 0 : 1;
    }
    print(
      shown`Wat de bronnen over u weten${values.bsn ? ` (BSN ${values.bsn})` : ''}, volgens ${result.bronnen.length} ${result.bronnen.length === 1 ? 'bron' : 'bronnen'}. Elk antwoord is ondertekend door de organisatie die de gegevens beheert, en die handtekening is gecontroleerd.\n`,
    );
    for (const bron of result.bronnen) {
      print(shown`\n${bron.bronhouder.naam} (${bron.dienst}):\n`);
      print(
        bron.velden.length === 0
          ? shown`  Deze bron heeft geen gegevens over u.\n`
          : shown`${joined(bron.velden.map((v) => shown`  ${v.label}: ${v.waarde}`))}\n`,
      );
    }
    if (values.download) {
      print(
        shown`\nOpgeslagen in ${values.download}. Controleer het bestand met: poortwachter verify-download ${values.download}\n`,
      );
    }
    for (const m of result.missing) {
      print(
        shown`\nLET OP: ${m.gateway} (${m.service}) gaf geen antwoord: ${m.reason}. Dit overzicht is dus niet compleet.\n`,
      );
    }
    return complete ? 0 : 1;
  });
}
