import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Dialect, type OpenedDatabase, openDatabase } from '../storage/open-database.ts';

/**
 * The dialects storage suites run against: always SQLite; PostgreSQL too when TEST_DATABASE_URL is
 * set (CI starts a real server). Use as `for (const dialect of DIALECTS) describe(dialect, …)`.
 */
export const DIALECTS: readonly Dialect[] = [
  'sqlite',
  ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : []),
];

/**
 * A fresh, empty database of the dialect: SQLite in memory, or a new schema on the PostgreSQL of
 * TEST_DATABASE_URL (dropped again on close), so suites never see each other's rows.
 */
export async function openTestDatabase<DB>(
  dialect: Dialect,
  options: { file?: string } = {},
): Promise<OpenedDatabase<DB>> {
  if (dialect === 'sqlite') return openDatabase<DB>(`sqlite:${options.file ?? ':memory:'}`);
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
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
