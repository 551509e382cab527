import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { root } from '../start-system.ts';

/** The CLI as a user runs it, with nowhere to reach: each of these is refused before any request. */
const cli = (args: string[]) =>
  runCli(args, { env: { REGISTRY_URL: 'http://127.0.0.1:9', DATA_DIR: join(root, 'tests/cli/no-data') } });

const PROPOSE = [
  'contract',
  'propose',
  '--oin',
  'haarlem',
  '--service',
  'brp-personen',
  '--activity',
  'https://www.haarlem.nl/verwerkingsactiviteiten/bijstandsverlening',
  '--grondslag',
  'participatiewet-art-7',
  '--fields',
  'naam.voornamen',
  '--search-types',
  'RaadpleegMetBurgerservicenummer',
];

describe('the contract and beheer commands: usage errors in one line, exit 2', () => {
  it.each([
    [['contract', 'show'], 'poortwachter contract show needs HASH'],
    [['contract', 'show', 'a', 'b'], "poortwachter contract show takes one HASH, not also 'b'."],
    [['contract', 'accept', '$1$1$x'], 'poortwachter contract accept needs --oin OIN.'],
    [['contract', 'reject', '$1$1$x', '--oin', 'rvig'], 'poortwachter contract reject needs --reason TEXT.'],
    [['contract', 'revoke', '--oin', 'rvig', '--reason', 'x'], 'poortwachter contract revoke needs HASH'],
    [['contract', 'list', '--oin', 'rvig', '--state', 'open'], '--state must be one of proposed, inForce,'],
    [['contract', 'list', 'extra', '--oin', 'rvig'], "poortwachter contract list takes options only, not 'extra'."],
    [[...PROPOSE, '--until', '2027-02-30'], '--until 2027-02-30 is not a date that exists'],
    [[...PROPOSE, '--until', '2020-01-01'], '--until 2020-01-01 lies in the past.'],
    [['contract', 'signe'], "Unknown subcommand 'signe' of poortwachter contract."],
    [['beheer', 'serve'], 'poortwachter beheer serve needs --oin OIN.'],
    [['beheer', 'serve', '--oin', 'rvig', '--port', 'x'], '--port must be a whole number from 0 to 65535, got "x".'],
  ])(
    '%j',
    async (args, message) => {
      const { code, out, err } = await cli(args);
      expect({ code, out }).toEqual({ code: 2, out: '' });
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toContain(message);
    },
    30_000,
  );

  it('shows HASH in the help of the commands that take it', async () => {
    const { code, out } = await cli(['contract', 'reject', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('poortwachter contract reject HASH [options]');
    expect(out).toMatch(/--reason TEXT\s+why, in words the other party reads/);
    const group = await cli(['contract', '--help']);
    expect(group.out).toMatch(/^\s+show HASH\s/m);
  });
});
