import { inForce } from '@poortwachter/protocol';
import { createOrganisationClient } from '../organisation-client.ts';
import { organisationWithKey, runCommand, verifiedDirectory } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { usageError } from './options.ts';
import { jsonText, print, printError, shown } from './output.ts';

/** `--query 'a=1&b=2'` as the call's query parameters; a name given twice is a usage error. */
function queryOf(text: string | undefined): Record<string, string> | string {
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text ?? '')) {
    if (Object.hasOwn(query, name)) return `--query names ${name} twice.`;
    query[name] = value;
  }
  return query;
}

/** `--body '{…}'`: JSON, only with --method POST. */
function bodyOf(values: ValuesOf<'call'>): { body?: unknown } | string {
  if (values.body === undefined) return values.method === 'POST' ? '--method POST needs --body JSON.' : {};
  if (values.method !== 'POST') return '--body goes with --method POST.';
  try {
    return { body: JSON.parse(values.body) as unknown };
  } catch {
    return '--body is not JSON.';
  }
}

/**
 * `poortwachter call --as utrecht --service brk-bevragen --path /kadastraalonroerendezaken --query
 * 'postcode=3077AW&huisnummer=31'`: one signed call of any operation of any service, as a demo
 * organisation (its key from ./data/keys), printed as the verified answer's JSON.
 */
export async function callCommand(values: ValuesOf<'call'>): Promise<number> {
  const query = queryOf(values.query);
  if (typeof query === 'string') return usageError(query, 'call');
  const body = bodyOf(values);
  if (typeof body === 'string') return usageError(body, 'call');
  return runCommand(async () => {
    const directory = await verifiedDirectory(values);
    const { organisation, privateKey } = organisationWithKey(directory, values.as, values.key);
    const now = new Date().toISOString();
    const processingActivity =
      values['processing-activity'] ??
      directory.autorisaties.find(
        (a) => a.afnemerOin === organisation.oin && a.serviceId === values.service && inForce(a, now),
      )?.processingActivityId;
    if (!processingActivity) {
      printError(
        shown`${organisation.name} has no autorisatie for ${values.service} in force; pass --processing-activity.\n`,
      );
      return 2;
    }
    const calls = createOrganisationClient({ oin: organisation.oin, privateKey, directory }).service(values.service);
    const options = { query, processingActivity };
    // A path that would leave the gateway is what was typed (an SdkError `configuration`: exit 2).
    const result = await (values.method === 'POST'
      ? calls.post(values.path, body.body, options)
      : calls.get(values.path, options));
    printError(
      shown`${organisation.name} → ${values.method} ${values.path} of ${values.service} under ${processingActivity}\ntransaction ${result.transactionId}; response signature verified\n`,
    );
    print(jsonText(result.body));
    return 0;
  });
}
