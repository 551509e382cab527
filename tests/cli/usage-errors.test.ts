import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { root } from '../start-system.ts';

/** The CLI as a user runs it, with nowhere to reach: a usage error must come before any request. */
const cli = (args: string[]) =>
  runCli(args, { env: { REGISTRY_URL: 'http://127.0.0.1:9', DATA_DIR: join(root, 'tests/cli/no-data') } });

describe('usage errors say what is wrong with what was typed (exit 2, one line)', () => {
  it.each([
    [['audit', 'coverage', '--help=1'], "--help takes no value: write --help alone, not '--help=1'."],
    [['log', 'verify', '-h=yes'], "-h takes no value: write -h alone, not '-h=yes'."],
    [['audit', 'coverage', '--verify=yes'], '--verify takes no value: write --verify alone.'],
    [['directory', '--json=1'], '--json takes no value: write --json alone.'],
    [['log', 'verify', '--fast'], "Unknown option '--fast' for poortwachter log verify."],
    [['audit', 'coverage', '-x'], "Unknown option '-x' for poortwachter audit coverage."],
  ])(
    '%j',
    async (args, message) => {
      const { code, out, err } = await cli(args);
      expect({ code, out }).toEqual({ code: 2, out: '' });
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toContain(message);
      // Never "did you mean" the very option that was typed.
      const typed = /'(-[^'=]+)/.exec(err)?.[1];
      expect(err).not.toContain(`Did you mean '${typed}'`);
    },
    30_000,
  );
});
