import type { DirectorySnapshot } from '@poortwachter/protocol';
import { createOrganisationClient } from '../organisation-client.ts';
import type { LoggedExchange, Reconciliation } from '../reconcile.ts';
import { checkDateOptions, organisationWithKey, registryOptions, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { jsonText, print, shown } from './output.ts';

const line = (e: LoggedExchange) =>
  shown`  ${e.at}  transaction ${e.transactionId}  ${e.records.length} record(s)  ${e.processingActivity}\n    request ${e.requestDigest}\n`;

/**
 * `poortwachter audit reconcile`: compares the afnemer's outway log with each provider gateway's log
 * (every service it has an autorisatie for, or the one `--service` names) for a period and lists every exchange logged on one side only, with its signed evidence. Exits 1
 * on any difference (or evidence that does not verify), 0 when both logs agree.
 */
export async function reconcileCommand(values: ValuesOf<'audit reconcile'>): Promise<number> {
  return runCommand(async () => {
    checkDateOptions({ '--from': values.from, '--to': values.to });
    const registry = registryOptions(values);
    const directory = await createOrganisationClient({ oin: '', privateKey: {}, ...registry }).directory();
    const { organisation, privateKey } = organisationWithKey(directory, values.as, values.key);
    const today = new Date().toISOString().slice(0, 10);
    const from = values.from ?? today;
    const to = values.to ?? new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const outwayUrl = values.outway;
    // Every service the afnemer has an autorisatie for (BRP, BRK, …), each against its own inway's log.
    const services = values.service
      ? [values.service]
      : [...new Set(directory.autorisaties.filter((a) => a.afnemerOin === organisation.oin).map((a) => a.serviceId))]
          .filter((id) => directory.services.some((s) => s.id === id && s.revokedAt === null))
          .sort();
    const results = [];
    for (const serviceId of services) {
      const client = createOrganisationClient({ oin: organisation.oin, privateKey, directory, serviceId });
      results.push({ service: serviceId, ...(await client.reconcile({ outwayUrl, from, to })) });
    }
    const consistent = results.every((r) => r.consistent);
    if (values.json) {
      print(jsonText(values.service ? results[0] : { consistent, services: results }));
      return consistent ? 0 : 1;
    }
    results.forEach((result, i) => {
      if (i > 0) print(shown`\n`);
      printReconciliation(result, organisation.name, outwayUrl, directory);
    });
    const differ = results.filter((r) => !r.consistent).map((r) => r.service);
    if (results.length > 1) {
      print(
        differ.length === 0
          ? shown`\nThe logs of every service agree.\n`
          : shown`\nThe logs of ${differ.join(', ')} differ.\n`,
      );
    }
    return consistent ? 0 : 1;
  });
}

function printReconciliation(
  result: Reconciliation & { service: string },
  name: string,
  outwayUrl: string,
  directory: DirectorySnapshot,
) {
  const provider = directory.organisations.find((o) => o.oin === result.provider);
  print(
    shown`${name}'s outway (${outwayUrl}) against the log of ${provider?.name ?? result.provider} (${result.service}), ${result.period.from} to ${result.period.to}\n`,
  );
  print(shown`${result.matched} exchange(s) logged on both sides, each outway record's evidence verified\n\n`);
  if (result.onlyAtProvider.length > 0) {
    print(
      shown`ONLY AT THE PROVIDER (${result.onlyAtProvider.length}): accesses in ${name}'s name that did not go through its outway (a stolen key, a forged record, an application around the outway)\n`,
    );
    for (const e of result.onlyAtProvider) print(line(e));
  }
  if (result.onlyAtAfnemer.length > 0) {
    print(
      shown`ONLY AT THE AFNEMER (${result.onlyAtAfnemer.length}): answers signed by ${provider?.name ?? 'the provider'} that its log does not hold (a lost record)\n`,
    );
    for (const e of result.onlyAtAfnemer) {
      print(line(e));
      print(shown`    provider's signature ${e.evidence.response.headers.signature?.slice(0, 40)}…\n`);
    }
  }
  if (result.unverifiedEvidence.length > 0) {
    print(
      shown`EVIDENCE THAT DOES NOT VERIFY (${result.unverifiedEvidence.length}): outway records forged or edited\n`,
    );
    for (const e of result.unverifiedEvidence) print(shown`${line(e)}    ${e.reason}\n`);
  }
  print(result.consistent ? shown`The two logs agree.\n` : shown`\nThe logs differ: see above.\n`);
}
