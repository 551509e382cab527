#!/usr/bin/env node
/**
 * The poortwachter command-line tool: `npx poortwachter <command>` where the sdk is installed, or
 * `pnpm poortwachter <command>` in a checkout of this repository.
 */
import { COMMANDS, type CommandName, GROUPS, type GroupName, type ValuesOf } from './definitions.ts';
import { commandHelp, groupHelp, subcommandWords, usage } from './help.ts';
import { nearest } from './nearest.ts';
import { parseOptions, usageError } from './options.ts';
import { ownText, print, printError, shown } from './output.ts';
import { sdkVersion } from './version.ts';

type Runner<N extends CommandName> = (values: ValuesOf<N>) => Promise<number>;

/** Each command's code, loaded only when it runs (help, version and usage errors load none of it). */
const RUNNERS: { [N in CommandName]: () => Promise<Runner<N>> } = {
  directory: async () => (await import('./directory-command.ts')).directoryCommand,
  'keys generate': async () => (await import('./keys-command.ts')).keysGenerateCommand,
  query: async () => (await import('./query-command.ts')).queryCommand,
  call: async () => (await import('./call-command.ts')).callCommand,
  inzage: async () => (await import('./inzage-command.ts')).inzageCommand,
  gegevens: async () => (await import('./gegevens-command.ts')).gegevensCommand,
  'verify-download': async () => (await import('./verify-download-command.ts')).verifyDownloadCommand,
  'audit coverage': async () => (await import('./audit-command.ts')).auditCoverageCommand,
  'audit serve': async () => (await import('./audit-serve.ts')).auditServeCommand,
  'audit reconcile': async () => (await import('./reconcile-command.ts')).reconcileCommand,
  'log verify': async () => (await import('./log-command.ts')).logVerifyCommand,
  'contract propose': async () => (await import('./contract-command.ts')).contractProposeCommand,
  'contract list': async () => (await import('./contract-command.ts')).contractListCommand,
  'contract show': async () => (await import('./contract-command.ts')).contractShowCommand,
  'contract accept': async () => (await import('./contract-command.ts')).contractAcceptCommand,
  'contract reject': async () => (await import('./contract-command.ts')).contractRejectCommand,
  'contract revoke': async () => (await import('./contract-command.ts')).contractRevokeCommand,
  'beheer serve': async () => (await import('./beheer-serve.ts')).beheerServeCommand,
  'registry verify': async () => (await import('./registry-command.ts')).registryVerifyCommand,
  'registry key certify': async () => (await import('./registry-key-command.ts')).registryKeyCertifyCommand,
  'registry key revoke': async () => (await import('./registry-key-command.ts')).registryKeyRevokeCommand,
  'registry change': async () => (await import('./registry-change-command.ts')).registryChangeCommand,
  'registry witness list': async () => (await import('./registry-witness-command.ts')).registryWitnessListCommand,
  'registry witness add': async () => (await import('./registry-witness-command.ts')).registryWitnessAddCommand,
  'registry witness remove': async () => (await import('./registry-witness-command.ts')).registryWitnessRemoveCommand,
  'registry witness quorum': async () => (await import('./registry-witness-command.ts')).registryWitnessQuorumCommand,
  'terugmelding list': async () => (await import('./terugmelding-command.ts')).terugmeldingListCommand,
  'terugmelding show': async () => (await import('./terugmelding-command.ts')).terugmeldingShowCommand,
  'terugmelding behandel': async () => (await import('./terugmelding-command.ts')).terugmeldingBehandelCommand,
  'terugmelding afhandel': async () => (await import('./terugmelding-command.ts')).terugmeldingAfhandelCommand,
  'terugmelding melden': async () => (await import('./terugmelding-command.ts')).terugmeldingMeldenCommand,
  'witness serve': async () => (await import('./witness-command.ts')).witnessServeCommand,
  'witness vkey': async () => (await import('./witness-command.ts')).witnessVkeyCommand,
};

const HELP = ['--help', '-h'];
const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);
const isGroup = (name: string): name is GroupName => Object.hasOwn(GROUPS, name);

/** Prints the CLI's own text (help, version); exit 0. */
function say(text: string): number {
  print(ownText(text));
  return 0;
}

async function run<N extends CommandName>(name: N, args: string[]): Promise<number> {
  const values = parseOptions(name, args);
  return (await RUNNERS[name]())(values);
}

/** A group's subcommand, or its help (exit 0), or a usage error listing its subcommands (exit 2). */
function subcommand(group: GroupName, word: string | undefined, args: string[]): Promise<number> | number {
  const name = `${group} ${word}`;
  if (word !== undefined && isCommand(name)) return run(name, args);
  if (word !== undefined && (HELP.includes(word) || word === 'help')) return say(groupHelp(group));
  const words = subcommandWords(group);
  // A subcommand of three words (`registry witness add`): its second word alone is a usage error naming the third.
  const deeper = words.filter((w) => w.startsWith(`${word} `));
  if (word !== undefined && deeper.length > 0) {
    const [third, ...rest] = args;
    const full = `${group} ${word} ${third}`;
    if (third !== undefined && isCommand(full)) return run(full, rest);
    const thirds = deeper.map((w) => w.slice(word.length + 1));
    const guess = third === undefined || third.startsWith('-') ? undefined : nearest(third, thirds);
    return usageError(
      `poortwachter ${group} ${word} needs one of: ${thirds.join(', ')}.${guess ? ` Did you mean '${guess}'?` : ''}`,
      group,
    );
  }
  const known = `Its subcommands: ${words.join(', ')}.`;
  if (word === undefined || word.startsWith('-')) {
    return usageError(`poortwachter ${group} needs a subcommand first. ${known}`, group);
  }
  const guess = nearest(word, words);
  return usageError(
    `Unknown subcommand '${word}' of poortwachter ${group}.${guess ? ` Did you mean '${guess}'?` : ''} ${known}`,
    group,
  );
}

/** `poortwachter help [command]`: the help of a command or group, like `<command> --help`. */
function help(words: string[]): number {
  const name = words.join(' ');
  if (name === '') return say(usage());
  if (isCommand(name)) return say(commandHelp(name));
  if (isGroup(name)) return say(groupHelp(name));
  return usageError(`No command '${name}'.`);
}

async function main(args: string[]): Promise<number> {
  const [first, ...after] = args;
  const [second, ...rest] = after;
  if (first === undefined || HELP.includes(first)) return say(usage());
  if (first === '--version' || first === '-V') return say(`${sdkVersion()}\n`);
  if (first === 'help') return help(after);
  if (isGroup(first)) return subcommand(first, second, rest);
  if (isCommand(first)) return run(first, after);
  const guess = nearest(first, [...Object.keys(GROUPS), ...Object.keys(COMMANDS).filter((c) => !c.includes(' '))]);
  return usageError(`Unknown command '${first}'.${guess ? ` Did you mean '${guess}'?` : ''}`);
}

/**
 * An error no command expected (a gateway's answer that is not JSON, a bug): printed like everything
 * else, since its message may repeat what came from outside (`Unexpected token … "<the body>" is not
 * valid JSON`); its stack frames, which are the CLI's own, follow on their lines. Exit 1.
 */
function unexpected(error: unknown): number {
  const head = String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  printError(shown`${head}${ownText(stack.startsWith(head) ? stack.slice(head.length) : '')}\n`);
  return 1;
}

process.exit(await main(process.argv.slice(2)).catch(unexpected));
