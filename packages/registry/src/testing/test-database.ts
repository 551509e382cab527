import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { type Dialect, type OpenedDatabase, openDatabase } from '../storage/open-database.ts';
import { testDatabaseSetting, WITHOUT_POSTGRES } from './test-database-setting.ts';

/**
 * The dialects storage suites run against: SQLite and PostgreSQL, both always. Use with
 * {@link describeDialect}: `for (const dialect of DIALECTS) describeDialect(dialect, name, …)`.
 */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/**
 * Declares a dialect's suite. Without PostgreSQL (TEST_DATABASE_URL=none) a PostgreSQL suite is declared
 * skipped, with the reason in its name, so that vitest's summary counts its tests as skipped.
 *
 * @example
 * for (const dialect of DIALECTS) describeDialect(dialect, `the registry (${dialect})`, () => { … });
 */
export function describeDialect(dialect: Dialect, name: string, suite: () => void): void {
  if (dialect === 'postgres' && process.env.TEST_DATABASE_URL === WITHOUT_POSTGRES) {
    describe.skip(`${name}: skipped, TEST_DATABASE_URL=${WITHOUT_POSTGRES}`, suite);
  } else {
    describe(name, suite);
  }
}

/**
 * A fresh, empty database of the dialect: SQLite in memory, or a new schema on the PostgreSQL of
 * TEST_DATABASE_URL (dropped again on close), so suites never see each other's rows.
 */
export async function openTestDatabase<DB>(
  dialect: Dialect,
  options: { file?: string } = {},
): Promise<OpenedDatabase<DB>> {
  if (dialect === 'sqlite') return openDatabase<DB>(`sqlite:${options.file ?? ':memory:'}`);
  const setting = testDatabaseSetting(process.env.TEST_DATABASE_URL);
  if (typeof setting === 'string') {
    throw new Error(
      setting === 'none'
        ? 'a PostgreSQL suite ran with TEST_DATABASE_URL=none: declare it with describeDialect'
        : 'TEST_DATABASE_URL is not set: run the tests with vitest.config.ts, whose global setup starts PostgreSQL',
    );
  }
  const { url } = setting;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const opened = openDatabase<DB>(url, { schema, poolSize: 5 });
  return {
    ...opened,
    async close() {
      await opened.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}
