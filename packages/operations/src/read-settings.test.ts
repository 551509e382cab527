import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { misspeltSettings, readSettings, SettingError } from './read-settings.ts';
import { kinds, serverSettings } from './setting-kinds.ts';

const schema = {
  ...serverSettings(8300),
  REGISTRY_URL: kinds.url({ description: 'r', default: 'http://localhost:8300/' }),
  DATABASE_URL: kinds.database({ description: 'd', secret: true }),
  WORKERS: kinds.workers({ description: 'w', default: '1' }),
  ORIGINS: kinds.urls({ description: 'o' }),
};
const dir = mkdtempSync(join(tmpdir(), 'poortwachter-read-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (env: Record<string, string>) => {
  try {
    readSettings(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingError);
    return (error as Error).message;
  }
  throw new Error('did not fail');
};

describe('readSettings: a schema read once, typed, every value checked', () => {
  it('gives typed defaults, parsed like given values', () => {
    const read = readSettings(schema, {});
    expect(read).toMatchObject({ PORT: 8300, POORTWACHTER_DEMO: false, LOG_LEVEL: 'info', WORKERS: 1 });
    expect(read.REGISTRY_URL).toBe('http://localhost:8300');
    expect(read.DATABASE_URL).toBeUndefined();
    expect(readSettings(schema, { WORKERS: 'auto', ORIGINS: 'http://a/, https://b' })).toMatchObject({
      WORKERS: 'auto',
      ORIGINS: ['http://a/', 'https://b'],
    });
  });

  it('names the setting, what it accepts and what it got', () => {
    expect(failure({ REGISTRY_URL: 'not-a-url' })).toBe(
      'REGISTRY_URL must be an http or https URL without query or fragment, got "not-a-url"',
    );
    expect(failure({ REGISTRY_URL: 'file:///etc/passwd' })).toContain('REGISTRY_URL must be');
    expect(failure({ PORT: '70000' })).toBe('PORT must be a whole number from 0 to 65535, got "70000"');
    expect(failure({ DRAIN_TIMEOUT_SECONDS: '-1' })).toContain('a positive whole number');
    expect(failure({ TLS_REQUIRE_CLIENT_CERT: 'TRUE' })).toBe(
      'TLS_REQUIRE_CLIENT_CERT must be true or false, got "TRUE"',
    );
    expect(failure({ WORKERS: '257' })).toContain('a whole number from 1 to 256, or auto');
  });

  it('never echoes a secret it cannot use', () => {
    const message = failure({ DATABASE_URL: 'mysql://u:geheim@h/d' });
    expect(message).toContain('DATABASE_URL must be sqlite:<path> or postgres://');
    expect(message).not.toContain('geheim');
  });

  it('reads a secret from NAME_FILE (trimmed); both, or a file it cannot read, is an error', () => {
    const file = join(dir, 'database-url');
    writeFileSync(file, 'postgres://u:geheim@db/registry\n');
    expect(readSettings(schema, { DATABASE_URL_FILE: file }).DATABASE_URL).toBe('postgres://u:geheim@db/registry');
    expect(failure({ DATABASE_URL: 'sqlite:x.db', DATABASE_URL_FILE: file })).toBe(
      'set DATABASE_URL or DATABASE_URL_FILE, not both',
    );
    expect(failure({ DATABASE_URL_FILE: join(dir, 'missing') })).toContain('cannot read');
    // Only secrets: REGISTRY_URL_FILE means nothing and is ignored.
    expect(readSettings(schema, { REGISTRY_URL_FILE: file }).REGISTRY_URL).toBe('http://localhost:8300');
  });

  it('finds variables that look like a misspelt setting, and only those', () => {
    expect(misspeltSettings(schema, { REGISTRY_UR: 'x', log_level: 'info', HOSTNAME: 'box', PATH: '/bin' })).toEqual([
      ['REGISTRY_UR', 'REGISTRY_URL'],
      ['log_level', 'LOG_LEVEL'],
    ]);
  });
});
