import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { root } from '../start-system.ts';

/** The CLI's commands and groups, as a user types them. */
const COMMANDS = [
  'directory',
  'keys generate',
  'query',
  'call',
  'inzage',
  'gegevens',
  'verify-download',
  'audit coverage',
  'audit serve',
  'audit reconcile',
  'log verify',
  'contract propose',
  'contract list',
  'contract show',
  'contract accept',
  'contract reject',
  'contract revoke',
  'beheer serve',
  'terugmelding list',
  'terugmelding show',
  'terugmelding behandel',
  'terugmelding afhandel',
  'terugmelding melden',
  'registry key certify',
  'registry key revoke',
  'registry change',
  'registry witness list',
  'registry witness add',
  'registry witness remove',
  'registry witness quorum',
  'witness serve',
  'witness vkey',
];
const GROUPS = {
  keys: ['generate'],
  audit: ['coverage', 'serve', 'reconcile'],
  log: ['verify'],
  contract: ['propose', 'list', 'show', 'accept', 'reject', 'revoke'],
  terugmelding: ['list', 'show', 'behandel', 'afhandel', 'melden'],
  beheer: ['serve'],
  witness: ['serve', 'vkey'],
};
/** The commands that take one word besides their options (`contract show HASH`). */
const OPERAND: Record<string, string> = {
  'verify-download': 'FILE',
  'contract show': 'HASH',
  'contract accept': 'HASH',
  'contract reject': 'HASH',
  'contract revoke': 'HASH',
  'terugmelding show': 'ID',
  'terugmelding behandel': 'ID',
  'terugmelding afhandel': 'ID',
  'registry witness remove': 'NAME',
  'registry witness quorum': 'N',
};
const PROBE = '--zz-probe';

/** Runs the CLI from the repository root as a user would; with `spy`, it reports its parseArgs calls. */
function cli(args: string[], { spy = false } = {}) {
  return runCli(args, {
    ...(spy ? { preload: ['./tests/cli/parse-args-spy.mjs'] } : {}),
    // Nowhere to reach: a probe that got past the parser would fail, not hang or touch a system.
    env: { REGISTRY_URL: 'http://127.0.0.1:9', DATA_DIR: join(root, 'tests/cli/no-data') },
  });
}

/**
 * The options a help text defines (name → takes a value), read from its lines that start with an
 * option at the option list's indentation (mentions inside descriptions are not definitions); the
 * part before the first double space is the definition, `--from DATE --to DATE` defines two.
 */
function documentedOptions(help: string): Map<string, boolean> {
  const lines = help
    .split('\n')
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }))
    .filter((l) => l.indent > 0 && l.text.startsWith('--'));
  const indent = Math.min(...lines.map((l) => l.indent));
  const options = new Map<string, boolean>();
  for (const { text } of lines.filter((l) => l.indent === indent)) {
    const head = text.split(/ {2,}/)[0] ?? '';
    for (const [, name, value] of head.matchAll(/--([a-z][a-z-]*)(?: ([^\s-]\S*))?/g)) {
      if (name && name !== 'help') options.set(name, value !== undefined);
    }
  }
  return options;
}

/** What the parser was handed (name → takes a value), seen from outside through the spy. */
function acceptedOptions(stderr: string): Map<string, boolean> {
  const line = stderr.split('\n').find((l) => l.startsWith('parseArgs options: '));
  expect(line, `no parseArgs call seen in:\n${stderr}`).toBeDefined();
  const options = JSON.parse(line?.slice('parseArgs options: '.length) ?? '{}') as Record<string, string>;
  return new Map(Object.entries(options).map(([name, type]) => [name, type === 'string']));
}

const sorted = (options: Map<string, boolean>) => [...options].sort(([a], [b]) => a.localeCompare(b));

describe('the CLI describes itself (poortwachter --help, <command> --help, --version)', () => {
  it('answers --help with exit 0 for the whole tool and every group (each command: below)', async () => {
    for (const { code, out } of await Promise.all([cli([]), cli(['--help'])])) {
      expect(code).toBe(0);
      for (const command of COMMANDS) expect(out).toContain(command);
      expect(out).toContain('--version');
    }
    await Promise.all(
      Object.entries(GROUPS).map(async ([group, subcommands]) => {
        const { code, out, err } = await cli([group, '--help']);
        expect({ group, code, err }).toEqual({ group, code: 0, err: '' });
        expect(out).toContain(`poortwachter ${group} <subcommand>`);
        for (const sub of subcommands) expect(out, group).toMatch(new RegExp(`^ {2}${sub}[ ]`, 'm'));
      }),
    );
  }, 120_000);

  it('prints the sdk package version with --version (and -V), exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'packages/sdk/package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const { code, out, err } = await cli([flag]);
      expect({ flag, code, out, err }).toEqual({ flag, code: 0, out: `${version}\n`, err: '' });
    }
  }, 60_000);

  it('refuses a group without a known subcommand (exit 2), listing its subcommands', async () => {
    await Promise.all(
      Object.entries(GROUPS).flatMap(([group, subcommands]) =>
        [[group], [group, 'bogus']].map(async (args) => {
          const { code, out, err } = await cli(args);
          expect({ args, code, out }).toEqual({ args, code: 2, out: '' });
          for (const sub of subcommands) expect(err, args.join(' ')).toContain(sub);
          expect(err).toContain(`poortwachter ${group} --help`);
        }),
      ),
    );
  }, 120_000);

  // A drift check from outside: the help is read as a user reads it; what the parser accepts is seen
  // by the spy on node:util's parseArgs, and tried by giving it every documented option.
  it.each(COMMANDS)(
    'answers %s --help (exit 0) with exactly the options it accepts, each as it takes them',
    async (command) => {
      const words = command.split(' ');
      const help = await cli([...words, '--help']);
      expect({ code: help.code, err: help.err }).toEqual({ code: 0, err: '' });
      const operand = OPERAND[command];
      expect(help.out).toContain(`poortwachter ${command}${operand ? ` ${operand}` : ''} [options]`);
      const documented = documentedOptions(help.out);

      // Every documented option as documented (with a value or without); the first one the parser
      // refuses must be the probe after them.
      const given = [...documented].map(([name, value]) => (value ? `--${name}=x` : `--${name}`));
      const probed = await cli([...words, ...given, PROBE], { spy: true });
      expect(probed.code).toBe(2);
      expect(probed.err).toContain(`Unknown option '${PROBE}'`);
      expect(sorted(documented)).toEqual(sorted(acceptedOptions(probed.err)));
    },
    60_000,
  );
});
