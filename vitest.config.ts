import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import HeavyFirstSequencer from './tests/setup/sequencer.ts';

export default defineConfig({
  // The workspace's packages from their sources (the `source` export condition; plain node takes their
  // dist/), so the tests need no build: Vite's default conditions with `source` first.
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: ['source', 'node', 'development|production'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'seeds/**/*.test.ts',
      'examples/**/*.test.ts',
      'scripts/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    // Storage suites open real databases: SQLite, and PostgreSQL, which this global setup starts for the
    // run unless TEST_DATABASE_URL names one (or is `none`: its suites are then reported as skipped).
    globalSetup: ['tests/setup/postgres.ts'],
    // One file at a time on two cores (vitest's default: cores minus one), `TEST_WORKERS=2` (at most 8)
    // for more. Two at a time was faster on four long files (461–589 s against 758–764 s), but in a whole
    // run on two loaded cores, whole-system files beside each other ran into their timeouts (README,
    // Development). Every file takes its ports from its worker's own range (tests/free-ports.ts, eight
    // ranges) and its data from a fresh temporary folder, so running several at once is safe.
    maxWorkers: Math.min(8, Number(process.env.TEST_WORKERS) || Math.max(1, availableParallelism() - 1)),
    // The longest files first, also on a clean clone without vitest's cache of durations.
    sequence: { sequencer: HeavyFirstSequencer },
    testTimeout: 30_000,
    // A hook that starts the whole system waits up to three minutes for it (tests/start-system.ts).
    hookTimeout: 200_000,
    // In CI a JSON report as well, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/results/vitest.json' }]] : ['default'],
  },
});
