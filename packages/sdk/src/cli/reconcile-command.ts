import { createOrganisationClient } from '../organisation-client.ts';
import type { LoggedExchange } from '../reconcile.ts';
import { checkDateOptions, organisationWithKey, registryOptions, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';

const line = (e: LoggedExchange) =>
  `  ${e.at}  transaction ${e.transactionId}  ${e.records.length} record(s)  ${e.processingActivity}\n    request ${e.requestDigest}\n`;

/**
 * `poortwachter audit reconcile`: compares the afnemer's outway log with the provider gateway's log
 * for a period and lists every exchange logged on one side only, with its signed evidence. Exits 1
 * on any difference (or evidence that does not verify), 0 when both logs agree.
 */
export async function reconcileCommand(values: ValuesOf<'audit reconcile'>): Promise<number> {
  return runCommand(async () => {
    checkDateOptions({ '--from': values.from, '--to': values.to });
    const registry = registryOptions(values);
    const directory = await createOrganisationClient({ oin: '', privateKey: {}, ...registry }).directory();
    const { organisation, privateKey } = organisationWithKey(directory, values.as, values.key);
    const client = createOrganisationClient({
      oin: organisation.oin,
      privateKey,
      directory,
      serviceId: values.service,
    });
    const today = new Date().toISOString().slice(0, 10);
    const from = values.from ?? today;
    const to = values.to ?? new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const outwayUrl = values.outway;
    const result = await client.reconcile({ outwayUrl, from, to });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.consistent ? 0 : 1;
    }
    const provider = directory.organisations.find((o) => o.oin === result.provider);
    const out = process.stdout;
    out.write(
      `${organisation.name}'s outway (${outwayUrl}) against the log of ${provider?.name ?? result.provider}, ${result.period.from} to ${result.period.to}\n`,
    );
    out.write(`${result.matched} exchange(s) logged on both sides, each outway record's evidence verified\n\n`);
    if (result.onlyAtProvider.length > 0) {
      out.write(
        `ONLY AT THE PROVIDER (${result.onlyAtProvider.length}): accesses in ${organisation.name}'s name that did not go through its outway (a stolen key, a forged record, an application around the outway)\n`,
      );
      for (const e of result.onlyAtProvider) out.write(line(e));
    }
    if (result.onlyAtAfnemer.length > 0) {
      out.write(
        `ONLY AT THE AFNEMER (${result.onlyAtAfnemer.length}): answers signed by ${provider?.name ?? 'the provider'} that its log does not hold (a lost record)\n`,
      );
      for (const e of result.onlyAtAfnemer) {
        out.write(line(e));
        out.write(`    provider's signature ${e.evidence.response.headers.signature?.slice(0, 40)}…\n`);
      }
    }
    if (result.unverifiedEvidence.length > 0) {
      out.write(
        `EVIDENCE THAT DOES NOT VERIFY (${result.unverifiedEvidence.length}): outway records forged or edited\n`,
      );
      for (const e of result.unverifiedEvidence) out.write(`${line(e)}    ${e.reason}\n`);
    }
    out.write(result.consistent ? 'The two logs agree.\n' : '\nThe logs differ: see above.\n');
    return result.consistent ? 0 : 1;
  });
}
