import { inForce } from '@poortwachter/protocol';
import { PERSONEN_SERVICE_ID as BRP, createOrganisationClient } from '../organisation-client.ts';
import { organisationWithKey, runCommand, verifiedDirectory } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { usageError } from './options.ts';
import { jsonText, print, printError, shown } from './output.ts';
import { table } from './table.ts';

/** Flattens a person into `path → value` rows for a readable table. */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => flatten(item, `${prefix}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    // Dates and code values read better as one line.
    if ('langFormaat' in value) return [[prefix, String((value as { langFormaat: unknown }).langFormaat)]];
    if ('omschrijving' in value && entries.length <= 2)
      return [[prefix, String((value as { omschrijving: unknown }).omschrijving)]];
    return entries.flatMap(([key, child]) => flatten(child, prefix ? `${prefix}.${key}` : key));
  }
  return [[prefix, String(value)]];
}

/**
 * `poortwachter query --as utrecht --bsn 999993653 --fields naam,geboorte.datum`: one signed BRP
 * query as a demo organisation (its key from ./data/keys), printed as a table.
 */
export async function queryCommand(values: ValuesOf<'query'>): Promise<number> {
  if (!values.bsn && !(values.postcode && values.huisnummer)) {
    return usageError('poortwachter query needs --bsn, or --postcode and --huisnummer.', 'query');
  }
  const as = values.as;
  const fieldList = values.fields;
  return runCommand(async () => {
    const directory = await verifiedDirectory(values);
    const { organisation, privateKey } = organisationWithKey(directory, as, values.key);
    const now = new Date().toISOString();
    const processingActivity =
      values['processing-activity'] ??
      directory.autorisaties.find((a) => a.afnemerOin === organisation.oin && a.serviceId === BRP && inForce(a, now))
        ?.processingActivityId;
    if (!processingActivity) {
      printError(shown`${organisation.name} has no autorisatie for ${BRP} in force; pass --processing-activity.\n`);
      return 2;
    }
    const client = createOrganisationClient({ oin: organisation.oin, privateKey, directory });
    const fields = fieldList
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const result = values.bsn
      ? await client.personen.raadpleeg({ burgerservicenummer: values.bsn.split(','), fields, processingActivity })
      : await client.personen.zoekMetPostcodeEnHuisnummer({
          postcode: values.postcode ?? '',
          huisnummer: Number(values.huisnummer),
          fields,
          processingActivity,
        });
    if (values.json) {
      print(jsonText(result));
      return 0;
    }
    print(
      shown`${organisation.name} → ${result.type} under ${processingActivity}\ntransaction ${result.transactionId}; response signature verified\n\n`,
    );
    if (result.personen.length === 0) print(shown`no persons found\n`);
    result.personen.forEach((persoon, i) => {
      print(shown`${table([`persoon ${i + 1}`, 'waarde'], flatten(persoon))}\n\n`);
    });
    return 0;
  });
}
