import { describe, expect, it } from 'vitest';
import { cliCommandHere, LAUNCHER_VARIABLE } from './cli-here.ts';

describe('cliCommandHere', () => {
  it('names the launcher of a built release, relative to the working directory when below it', () => {
    const env = { [LAUNCHER_VARIABLE]: '/opt/poortwachter/dist/main.js' };
    expect(cliCommandHere(env, '/opt/poortwachter')).toBe('node dist/main.js cli');
    expect(cliCommandHere(env, '/app')).toBe('node /opt/poortwachter/dist/main.js cli');
  });

  it('is pnpm poortwachter in a checkout of the repository (no launcher)', () => {
    expect(cliCommandHere({}, '/work/poortwachter')).toBe('pnpm poortwachter');
  });
});
