import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIALECTS } from '@poortwachter/registry/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testDatabaseSetting } from '../../packages/registry/src/testing/test-database-setting.ts';
import { startThrowawayPostgres } from './postgres.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

async function testFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await testFiles(path)));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/**
 * The README's test command on a machine with Node and nothing else: the storage suites run on
 * PostgreSQL too, on a server the test command starts itself, and no suite disappears unannounced.
 */
describe('the test command and its PostgreSQL', () => {
  it('runs every storage suite on PostgreSQL as well as SQLite (or, with TEST_DATABASE_URL=none, reports them skipped)', async () => {
    expect(DIALECTS).toEqual(['sqlite', 'postgres']);
    const setting = testDatabaseSetting(process.env.TEST_DATABASE_URL);
    if (setting === 'none') return;
    // The global setup has started a server (or checked the one named) and handed it to this worker.
    expect(setting).toEqual({ url: expect.stringMatching(/^postgres(ql)?:\/\//) });
    const url = (setting as { url: string }).url;
    expect(await query(url, 'select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('has no test file that declares its suites only when a variable is set', async () => {
    const conditional: string[] = [];
    for (const file of await testFiles(ROOT)) {
      if (/^if \(process\.env\.[A-Z_]+\)/m.test(await readFile(file, 'utf8'))) conditional.push(relative(ROOT, file));
    }
    expect(conditional).toEqual([]);
  });

  it('reads TEST_DATABASE_URL strictly: a postgres URL, none, or unset', () => {
    expect(testDatabaseSetting(undefined)).toBe('start');
    expect(testDatabaseSetting('')).toBe('start');
    expect(testDatabaseSetting('none')).toBe('none');
    expect(testDatabaseSetting('postgres://u:p@127.0.0.1:5432/db')).toEqual({
      url: 'postgres://u:p@127.0.0.1:5432/db',
    });
    expect(testDatabaseSetting('postgresql://h/db')).toEqual({ url: 'postgresql://h/db' });
    for (const value of ['None', 'false', 'postgres', 'sqlite::memory:', 'mysql://u:secret@h/db']) {
      expect(() => testDatabaseSetting(value)).toThrow(/^TEST_DATABASE_URL must be a postgres:\/\/ URL or "none"/);
    }
    expect(() => testDatabaseSetting('mysql://u:secret@h/db')).not.toThrow(/secret/);
  });

  it('starts a throw-away PostgreSQL 17 and, once stopped, leaves no server and no data directory behind', async () => {
    const server = await startThrowawayPostgres();
    try {
      expect(server.version).toMatch(/^17\./);
      expect(new URL(server.url).hostname).toBe('127.0.0.1');
      expect(existsSync(server.dataDirectory)).toBe(true);
      const [row] = await query<{ database: string }>(server.url, 'select current_database() as database');
      expect(row?.database).toBe('poortwachter_test');
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDirectory)).toBe(false);
    await expect(query(server.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
  }, 180_000);
});
