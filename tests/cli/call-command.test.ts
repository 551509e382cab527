import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { root } from '../start-system.ts';

/** `poortwachter call` with nowhere to reach: what was typed wrongly is said before any request. */
const cli = (args: string[]) =>
  runCli(['call', '--as', 'utrecht', '--service', 'brk-bevragen', '--path', '/kadastraalonroerendezaken', ...args], {
    env: { REGISTRY_URL: 'http://127.0.0.1:9', DATA_DIR: join(root, 'tests/cli/no-data') },
  });

describe('poortwachter call: usage errors (exit 2, one line)', () => {
  it.each([
    [['--body', '{"burgerservicenummer":"999993653"}'], '--body goes with --method POST.'],
    [['--method', 'POST'], '--method POST needs --body JSON.'],
    [['--method', 'POST', '--body', '{burgerservicenummer'], '--body is not JSON.'],
    [['--query', 'postcode=3077AW&postcode=1234AB'], '--query names postcode twice.'],
    [['--method', 'PUT'], '--method must be one of GET, POST'],
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
});
