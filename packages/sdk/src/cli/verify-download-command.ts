import { readFileSync } from 'node:fs';
import { verifyDownload } from '../verify-download.ts';
import { CliExit, runCommand, trustAnchorsOption } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, printError, shown } from './output.ts';

const when = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  dateStyle: 'long',
  timeStyle: 'medium',
});

/**
 * `poortwachter verify-download FILE [--trust-anchors F]`: checks a download file of `gegevens`
 * offline, per bronhouder, against the trust anchors; exit 0 when every bron holds, 1 otherwise.
 */
export async function verifyDownloadCommand(values: ValuesOf<'verify-download'>): Promise<number> {
  return runCommand(async () => {
    const { file: anchorsFile, from, anchors } = trustAnchorsOption(values);
    let text: string;
    try {
      text = readFileSync(values.operand, 'utf8');
    } catch (error) {
      throw new CliExit(2, `FILE ${values.operand} cannot be read: ${(error as Error).message}`);
    }
    const result = await verifyDownload(text, { trustAnchors: anchors });
    if (values.json) {
      print(jsonText({ ...result, trustAnchors: { file: anchorsFile, from } }));
      return result.ok ? 0 : 1;
    }
    const source = from === 'default' ? 'de demo-CA, standaard' : `uit ${from}`;
    printError(shown`Vertrouwensankers: ${anchorsFile} (${source}).\n`);
    for (const finding of result.findings) print(shown`NIET IN ORDE: ${values.operand}: ${finding}\n`);
    for (const bron of result.bronnen) {
      if (bron.findings.length === 0) {
        print(
          shown`in orde: ${bron.bron}: ondertekend door ${bron.certificaat?.naam ?? bron.bronhouderOin} (OIN ${bron.bronhouderOin}) op ${bron.ondertekend ? when.format(new Date(bron.ondertekend)) : '?'}\n`,
        );
      } else {
        for (const finding of bron.findings) print(shown`NIET IN ORDE: ${bron.bron}: ${finding}\n`);
      }
    }
    print(
      result.ok
        ? shown`\nHet bestand is in orde: elk antwoord komt ongewijzigd van de bronhouder die het ondertekende.\n`
        : shown`\nHet bestand is NIET in orde: het is veranderd of niet ondertekend door de bronhouder.\n`,
    );
    return result.ok ? 0 : 1;
  });
}
