import { join } from 'node:path';
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { fetchDirectory } from '../directory-client.ts';
import { isSdkError } from '../sdk-error.ts';
import { CliExit, registryOptions } from './common.ts';
import { dataDir } from './data-dir.ts';
import type { ValuesOf } from './definitions.ts';
import { joined, jsonText, print, printError, shown } from './output.ts';
import { table } from './table.ts';

/** `poortwachter directory`: fetch, verify and summarise the signed directory. */
export async function directoryCommand(values: ValuesOf<'directory'>): Promise<number> {
  let registry: ReturnType<typeof registryOptions>;
  try {
    registry = registryOptions(values);
  } catch (error) {
    if (!(error instanceof CliExit)) throw error;
    printError(shown`${error.message}\n`);
    return error.code;
  }
  try {
    const directory = await fetchDirectory(registry);
    if (values.json) {
      print(jsonText(directory));
      return 0;
    }
    const now = new Date().toISOString();
    const inForce = (a: { validFrom: string; validTo: string | null; revokedAt: string | null }) =>
      a.revokedAt
        ? 'ingetrokken'
        : a.validFrom > now
          ? 'nog niet geldig'
          : a.validTo && a.validTo <= now
            ? 'verlopen'
            : 'geldig';
    const names = new Map(directory.organisations.map((o) => [o.oin, o.name]));
    print(
      joined([
        shown`directory serial ${directory.serial}, issued at ${directory.issued_at}`,
        shown`signature verified against the pinned registry key (${values['registry-key'] ?? join(dataDir(), 'keys', 'registry.public.jwk.json')}); keys and autorisaties only as anchored and signed by their parties`,
        shown``,
        table(
          ['OIN', 'organisation', 'roles', 'keys'],
          directory.organisations.map((o) => [
            o.oin,
            o.name,
            o.roles.join(','),
            o.keys.map((k) => `${k.jwk.crv} ${k.kid.slice(0, 8)}… ${k.status}`).join('; '),
          ]),
        ),
        shown``,
        table(
          ['service', 'provider', 'gateway', 'fields'],
          directory.services.map((s) => [
            s.id,
            names.get(s.providerOin) ?? s.providerOin,
            s.gatewayUrl,
            String(s.fieldCatalogue.length),
          ]),
        ),
        shown``,
        table(
          ['autorisatie', 'afnemer', 'fields', 'valid from', 'valid to', 'status'],
          directory.autorisaties.map((a) => [
            a.id,
            names.get(a.afnemerOin) ?? a.afnemerOin,
            String(a.fields.length),
            a.validFrom.slice(0, 10),
            a.validTo?.slice(0, 10) ?? '-',
            inForce(a),
          ]),
        ),
        shown``,
        shown`${directory.grondslagen.length} grondslagen, ${directory.processing_activities.length} verwerkingsactiviteiten, ${directory.identity_providers.length} identity providers`,
        witnessesLine(directory),
        shown``,
      ]),
    );
    return 0;
  } catch (error) {
    if (isSdkError(error)) {
      printError(shown`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** The witnesses the signed directory lists and the quorum a head needs, in one line. */
function witnessesLine(directory: Pick<DirectorySnapshot, 'witnesses' | 'witness_quorum'>) {
  const witnesses = directory.witnesses ?? [];
  if (witnesses.length === 0) return shown`no witnesses listed: heads are not witnessed`;
  return shown`witnesses: a head needs ${directory.witness_quorum ?? witnesses.length} of ${witnesses.length} cosignatures (${witnesses.map((w) => w.name).join(', ')})`;
}
