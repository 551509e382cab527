import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../start-system.ts';
import { weightOf } from './sequencer.ts';

const weight = (file: string) => weightOf(file, readFileSync(join(root, file), 'utf8'));

describe('the order of the test files on a clean clone', () => {
  it('starts the container test first, then files that start the whole system, then other processes, then the rest', () => {
    expect(weight('tests/image/container.test.ts')).toBe(3);
    expect(weight('tests/portal/portal.test.ts')).toBe(2);
    // Through a helper of tests/ that starts the system.
    expect(weight('tests/adversarial/contracts-forged-directory.test.ts')).toBe(2);
    expect(weight('tests/cli/help.test.ts')).toBe(1);
    expect(weight('packages/gateway/src/http/gateway.test.ts')).toBe(0);
  });
});
