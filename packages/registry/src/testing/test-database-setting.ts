/** The value of TEST_DATABASE_URL that runs the tests without PostgreSQL (its suites reported as skipped). */
export const WITHOUT_POSTGRES = 'none';

/**
 * What TEST_DATABASE_URL asks for: a PostgreSQL server to use (`postgres://` or `postgresql://`), no
 * PostgreSQL at all (`none`), or, when unset, a throw-away server that the test command starts itself
 * (tests/setup/postgres.ts, vitest's global setup). Any other value is an error naming the setting.
 *
 * @example
 * testDatabaseSetting('postgres://postgres@127.0.0.1:5432/test'); // { url: 'postgres://…' }
 */
export function testDatabaseSetting(value: string | undefined): { url: string } | 'none' | 'start' {
  if (value === undefined || value === '') return 'start';
  if (value === WITHOUT_POSTGRES) return 'none';
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // not a URL: reported below
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:') return { url: value };
  throw new Error(
    `TEST_DATABASE_URL must be a postgres:// URL or "${WITHOUT_POSTGRES}" (or unset, to start a throw-away PostgreSQL); got ${JSON.stringify(value.replace(/\/\/[^@/]*@/, '//…@'))}`,
  );
}
