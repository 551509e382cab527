import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DirectorySnapshot, type Organisation, readPeriod } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { fetchDirectory } from '../directory-client.ts';
import { isSdkError } from '../sdk-error.ts';
import { readTrustAnchorsFile, trustedBy } from '../trusted-directory.ts';
import { dataDir } from './data-dir.ts';
import { findOrganisation } from './organisation-lookup.ts';
import { printError, shown } from './output.ts';

/** A failure the CLI reports in one line and exits with (2: usage or setup, 1: refused or failed). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The registry URL, the pinned key and the trust step (the trust anchors) from the options, the
 * environment or ./data: every command decides only on anchored keys and contracts their parties signed.
 */
export function registryOptions(values: {
  registry?: string | undefined;
  'registry-key'?: string | undefined;
  'trust-anchors'?: string | undefined;
}) {
  const registryUrl = values.registry ?? process.env.REGISTRY_URL ?? 'http://localhost:8300';
  const registryKeyFile = values['registry-key'] ?? join(dataDir(), 'keys', 'registry.public.jwk.json');
  if (!existsSync(registryKeyFile)) {
    throw new CliExit(
      2,
      `No pinned registry key at ${registryKeyFile}: start the system (pnpm start) or pass --registry-key.`,
    );
  }
  const { anchors } = trustAnchorsOption(values);
  return {
    registryUrl,
    registryKey: JSON.parse(readFileSync(registryKeyFile, 'utf8')) as JWK,
    trust: trustedBy(anchors),
    anchors,
  };
}

/**
 * The trust anchors from `--trust-anchors`, else `$TRUST_ANCHORS_FILE`, else the demo CA in ./data,
 * with where they came from (`from`: the option, the variable or `default`); exit 2 naming the file
 * when it is missing or holds no certificate.
 */
export function trustAnchorsOption(values: { 'trust-anchors'?: string | undefined }) {
  const [file, from] =
    values['trust-anchors'] !== undefined
      ? [values['trust-anchors'], '--trust-anchors']
      : process.env.TRUST_ANCHORS_FILE !== undefined
        ? [process.env.TRUST_ANCHORS_FILE, 'TRUST_ANCHORS_FILE']
        : [join(dataDir(), 'keys', 'demo-ca.pem'), 'default'];
  if (!existsSync(file)) {
    throw new CliExit(
      2,
      `No trust anchors at ${file}: pass --trust-anchors or set TRUST_ANCHORS_FILE (a PEM bundle; the demo's is ./data/keys/demo-ca.pem, made by pnpm start).`,
    );
  }
  try {
    return { file, from, anchors: readTrustAnchorsFile(file) };
  } catch (error) {
    throw new CliExit(2, error instanceof Error ? error.message : String(error));
  }
}

/** Fetches the directory and verifies it against the pinned registry key. */
export const verifiedDirectory = (values: Parameters<typeof registryOptions>[0]): Promise<DirectorySnapshot> =>
  fetchDirectory(registryOptions(values));

/**
 * The organisation `as` names (`organisationNamed`; `option` is the option it came from), or the first
 * demo organisation with `role` when `as` is not given, with its private key from `--key` or
 * ./data/keys/<OIN>.jwk.json.
 */
export function organisationWithKey(
  directory: DirectorySnapshot,
  as: string | undefined,
  keyFile: string | undefined,
  role?: Organisation['roles'][number],
  option = '--as',
): { organisation: Organisation; privateKey: JWK } {
  const keyOf = (o: Organisation) => keyFile ?? join(dataDir(), 'keys', `${o.oin}.jwk.json`);
  const organisation = as
    ? organisationNamed(directory, as, option)
    : directory.organisations.find((o) => role && o.roles.includes(role) && existsSync(keyOf(o)));
  if (!organisation) throw new CliExit(2, `No organisation with role ${role}; pass --as.`);
  const file = keyOf(organisation);
  if (!existsSync(file)) throw new CliExit(2, `No private key for ${organisation.name} at ${file}; pass --key.`);
  return { organisation, privateKey: JSON.parse(readFileSync(file, 'utf8')) as JWK };
}

/**
 * The organisation of the directory that `text` names (`findOrganisation`: its OIN, its name or a part
 * of it, its short name or abbreviation); a usage error naming `option` when none or several fit.
 */
export function organisationNamed(
  directory: Pick<DirectorySnapshot, 'organisations'>,
  text: string,
  option = '--oin',
): Organisation {
  const match = findOrganisation(directory.organisations, text);
  if (match.kind === 'one') return match.organisation;
  if (match.kind === 'ambiguous') {
    const names = match.candidates.map((o) => `${o.name} (${o.oin})`).join(', ');
    throw new CliExit(
      2,
      `${option} "${text}" fits ${match.candidates.length} organisations: ${names}. Give more of the name, or the OIN.`,
    );
  }
  throw new CliExit(
    2,
    `${option}: no organisation "${text}" in the directory. Give its OIN, a part of its name or its abbreviation (as RvIG).`,
  );
}

/** The texts of `checkDateOptions`: a date that does not exist, and an end not after the start. */
export interface DateOptionTexts {
  readonly date: (option: string, value: string) => string;
  readonly order: (option: string, value: string, startOption: string, startValue: string) => string;
}

const DATE_OPTION_TEXTS: DateOptionTexts = {
  date: (option, value) =>
    `${option} ${value} is not a date that exists: write it as 2026-11-01 (or 2026-11-01T14:00:00Z).`,
  order: (option, value, startOption, startValue) =>
    `${option} ${value} is not after ${startOption} ${startValue}: the period would end before it starts.`,
};

/**
 * Checks a command's period options before anything is asked, by the project's one period rule
 * (`readPeriod`): the first entry is the period's start (`--from`, `--van`), the second its end (`--to`,
 * `--tot`). Each given one must be a date that exists (2026-11-01; not 2026-02-30) or a date and time
 * with its offset, and the end must lie after the start (a date as the end includes that day). The
 * first problem ends the command with exit 2 and one line naming the option.
 *
 * @example
 * checkDateOptions({ '--from': values.from, '--to': values.to });
 */
export function checkDateOptions(
  options: Readonly<Record<string, string | undefined>>,
  texts: DateOptionTexts = DATE_OPTION_TEXTS,
): void {
  const [[startOption, start] = ['', undefined], [endOption, end] = ['', undefined]] = Object.entries(options);
  const problem = readPeriod(start, end).problems[0];
  if (!problem) return;
  const [option, value] = problem.end === 'from' ? [startOption, start] : [endOption, end];
  throw new CliExit(
    2,
    problem.kind === 'date'
      ? texts.date(option, value ?? '')
      : texts.order(option, value ?? '', startOption, start ?? ''),
  );
}

/**
 * Runs a command body, turning CliExit and SdkError into a message and an exit code: what was typed
 * or set up wrong (a CliExit of 2, an SdkError `configuration`: nothing was asked) in one line with
 * exit 2, a refusal or failure with what the server named, exit 1.
 */
export async function runCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CliExit) {
      printError(shown`${error.message}\n`);
      return error.code;
    }
    if (!isSdkError(error)) throw error;
    if (error.code === 'configuration' && !error.problem) {
      printError(shown`${error.message}\n`);
      return 2;
    }
    printError(shown`refused: ${error.code}${error.problem ? ` (${error.problem.status})` : ''}\n  ${error.message}\n`);
    for (const p of error.problem?.invalidParams ?? []) printError(shown`  - ${p.name}: ${p.reason}\n`);
    return 1;
  }
}

/** The operator's admin token, from `--admin-token` or the file the registry wrote on first start. */
export function adminToken(file: string | undefined): string {
  const path = file ?? join(dataDir(), 'registry-admin-token');
  if (!existsSync(path)) {
    throw new CliExit(
      2,
      `No admin token at ${path}: pass --admin-token (the file the registry wrote on first start, or one made with its admin-token add).`,
    );
  }
  const token = readFileSync(path, 'utf8').trim();
  if (!token) throw new CliExit(2, `The admin token file ${path} is empty.`);
  return token;
}
