import { describe, expect, it } from 'vitest';
import { shownDatabaseUrl } from './setting-kinds.ts';
import { LOG_LEVELS, logLevelOf, SettingError, settings } from './settings.ts';

const read = (env: Record<string, string>) => settings(env);
const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingError);
    return (error as Error).message;
  }
  throw new Error('did not fail');
};

describe('settings: one strict parser for every flag, enumeration and number', () => {
  it('reads a flag as exactly true or false; unset and empty are the default', () => {
    expect(read({ F: 'true' }).flag('F', false)).toBe(true);
    expect(read({ F: 'false' }).flag('F', true)).toBe(false);
    expect(read({}).flag('F', true)).toBe(true);
    expect(read({ F: '' }).flag('F', false)).toBe(false);
    for (const value of ['TRUE', 'True', '1', 'yes', 'on', ' true', 'false ']) {
      expect(failure(() => read({ F: value }).flag('F', false))).toBe(
        `F must be true or false, got ${JSON.stringify(value)}`,
      );
    }
  });

  it('reads an enumeration as one of its values, exactly as written', () => {
    expect(read({ MODE: 'none' }).oneOf('MODE', ['demo', 'none'], 'demo')).toBe('none');
    expect(read({}).oneOf('MODE', ['demo', 'none'], 'demo')).toBe('demo');
    expect(read({}).oneOf('ALLOW', ['test'])).toBeUndefined();
    expect(failure(() => read({ MODE: 'Demo' }).oneOf('MODE', ['demo', 'none'], 'demo'))).toBe(
      'MODE must be one of demo or none, got "Demo"',
    );
    expect(failure(() => read({ ALLOW: 'yes' }).oneOf('ALLOW', ['test']))).toBe('ALLOW must be test, got "yes"');
    expect(failure(() => read({ LOG_LEVEL: 'verbose' }).oneOf('LOG_LEVEL', LOG_LEVELS, 'info'))).toBe(
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal or silent, got "verbose"',
    );
  });

  it('reads a list of enumerated values, and numbers as whole numbers only', () => {
    expect(read({ L: 'otlp, prometheus' }).listOf('L', ['otlp', 'prometheus', 'none'], ['otlp'])).toEqual([
      'otlp',
      'prometheus',
    ]);
    expect(failure(() => read({ L: 'otlp,otel' }).listOf('L', ['otlp', 'none'], ['otlp']))).toContain('otlp or none');
    expect(read({ N: '25' }).positive('N', 1)).toBe(25);
    for (const value of ['0', '-1', '1.5', '1e3', '0x10', ' 5'])
      expect(() => read({ N: value }).positive('N', 1)).toThrow(SettingError);
    expect(read({ PORT: '0' }).port(8300)).toBe(0);
    expect(() => read({ PORT: '65536' }).port(8300)).toThrow('PORT must be a whole number from 0 to 65535');
    expect(read({ GATEWAY_PORT: '9502' }).port(8302, 'GATEWAY_PORT')).toBe(9502);
    expect(() => read({ GATEWAY_PORT: '8302abc' }).port(8302, 'GATEWAY_PORT')).toThrow('GATEWAY_PORT must be');
  });

  it('gives the logger a level it can use; the start then fails on the one it could not', () => {
    expect(logLevelOf({ LOG_LEVEL: 'warn' })).toBe('warn');
    expect(logLevelOf({ LOG_LEVEL: 'verbose' })).toBe('info');
    expect(logLevelOf({})).toBe('info');
  });
});

describe('shownDatabaseUrl', () => {
  it('shows a database setting without its password or query', () => {
    expect(shownDatabaseUrl('postgres://poortwachter:s3cr:et@db.example:5432/pw?sslmode=require')).toBe(
      'postgres://poortwachter:***@db.example:5432/pw',
    );
    expect(shownDatabaseUrl('postgresql://pw:x@db/pw')).toBe('postgresql://pw:***@db/pw');
    expect(shownDatabaseUrl('postgres://pw@db/pw')).toBe('postgres://pw@db/pw');
    expect(shownDatabaseUrl('sqlite:/srv/data/gateway.db')).toBe('sqlite:/srv/data/gateway.db');
  });
});
