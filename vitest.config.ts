import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'seeds/**/*.test.ts', 'examples/**/*.test.ts'],
    // Storage suites open real databases (SQLite files, and PostgreSQL when TEST_DATABASE_URL is set).
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
