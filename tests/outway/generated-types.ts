import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../start-system.ts';

/**
 * The types openapi-typescript generates from a committed spec now, and those committed beside the
 * client test (`tests/outway/<file>`): equal when the client a gemeente would generate is the one tested.
 */
export function generatedAndCommitted(specPath: string, file: string): { generated: string; committed: string } {
  const generated = execFileSync(
    process.execPath,
    [join(root, 'node_modules/openapi-typescript/bin/cli.js'), specPath],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return { generated: generated.trim(), committed: readFileSync(join(root, 'tests/outway', file), 'utf8').trim() };
}
