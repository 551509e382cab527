import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PORT_SETTINGS, systemParts } from './system-parts.ts';

const fail = (message: string): never => {
  throw new Error(message);
};

/** What `pnpm start` runs, without running it: the parts, their ports and settings. */
describe('the parts of pnpm start', () => {
  it("sends both inways' notices to the development mailbox's SMTP port, which DEV_MAIL_SMTP_PORT moves", () => {
    const smtp = (env: NodeJS.ProcessEnv) => {
      const { parts } = systemParts(env, '/repo', fail);
      return [parts.gateway.env.SMTP_URL, parts['brk-gateway'].env.SMTP_URL, parts['dev-mail'].env.DEV_MAIL_SMTP_PORT];
    };
    expect(smtp({})).toEqual(['smtp://127.0.0.1:8312', 'smtp://127.0.0.1:8312', '8312']);
    expect(smtp({ DEV_MAIL_SMTP_PORT: '9412' })).toEqual(['smtp://127.0.0.1:9412', 'smtp://127.0.0.1:9412', '9412']);
    expect(() => smtp({ DEV_MAIL_SMTP_PORT: 'x' })).toThrow(/DEV_MAIL_SMTP_PORT/);
  });

  it("runs Kadaster's gateway for brk-bevragen beside RvIG's, on 8307 with the BRK source on 8308", () => {
    const { parts } = systemParts({}, '/repo', fail);
    expect(Object.fromEntries(Object.values(parts).map((p) => [p.name, p.port]))).toEqual({
      registry: 8300,
      source: 8301,
      'dev-mail': 8311,
      gateway: 8302,
      'brk-source': 8308,
      'brk-gateway': 8307,
      'dev-idp': 8303,
      outway: 8304,
      portal: 8305,
      auditor: 8306,
      'beheer-rvig': 8309,
      'beheer-haarlem': 8310,
      'witness-registry': 8313,
      'witness-ap': 8314,
    });
    const brk = parts['brk-gateway'];
    expect(brk.entry).toBe(parts.gateway.entry);
    expect(brk.entry).toBe('packages/gateway/src/server/main.ts');
    expect(parts['brk-source'].entry).toBe('examples/brk-source/src/server.ts');
    expect(brk.env).toMatchObject({
      SERVICE_ID: 'brk-bevragen',
      SOURCE_URL: 'http://localhost:8308',
      REGISTRY_URL: 'http://localhost:8300',
      DATABASE_URL: `sqlite:${join('/repo', 'data', 'brk-gateway.db')}`,
      LOG_KEY_FILE: join('/repo', 'data', 'keys', 'brk-gateway-log.key'),
    });
    expect(brk.ready).toBe('/readyz');
    expect(parts.registry.env.BRK_GATEWAY_PUBLIC_URL).toBe('http://localhost:8307');
  });

  it('gives each gateway its own database, Merkle log (instance id) and log key, whatever the environment shares', () => {
    const shared = { INSTANCE_ID: 'host-1', GATEWAY_DATABASE_URL: 'postgres://db/poortwachter' };
    const { parts } = systemParts(shared, '/repo', fail);
    const brp: Record<string, string> = { ...shared, ...parts.gateway.env };
    const brk: Record<string, string> = { ...shared, ...parts['brk-gateway'].env };
    expect(brk.DATABASE_URL).not.toBe(brp.DATABASE_URL);
    expect(brk.INSTANCE_ID).not.toBe(brp.INSTANCE_ID);
    // The BRP gateway keeps its default log key (keys/gateway-log.key); Kadaster's has another file.
    expect(brp.LOG_KEY_FILE).toBeUndefined();
    expect(brk.LOG_KEY_FILE).toBe(join('/repo', 'data', 'keys', 'brk-gateway-log.key'));
    expect(brk.SERVICE_ID).toBe('brk-bevragen');
    expect(brp.SERVICE_ID).toBeUndefined();
  });

  it('moves the BRK parts with BRK_SOURCE_PORT and BRK_GATEWAY_PORT, and refuses a port that is not one', () => {
    const { parts } = systemParts(
      {
        BRK_SOURCE_PORT: '9308',
        BRK_GATEWAY_PORT: '9307',
        DATA_DIR: '/tmp/elsewhere',
        BRK_GATEWAY_PUBLIC_URL: 'https://brk.example',
        BRK_GATEWAY_DATABASE_URL: 'postgres://db/brk',
      },
      '/repo',
      fail,
    );
    expect(parts['brk-source'].port).toBe(9308);
    expect(parts['brk-gateway'].port).toBe(9307);
    expect(parts['brk-gateway'].env.SOURCE_URL).toBe('http://localhost:9308');
    expect(parts['brk-source'].env.BRP_PUBLIC_URL).toBe(`http://localhost:${parts.source.port}`);
    expect(parts['brk-gateway'].env.DATABASE_URL).toBe('postgres://db/brk');
    expect(parts['brk-gateway'].env.LOG_KEY_FILE).toBe('/tmp/elsewhere/keys/brk-gateway-log.key');
    expect(parts.registry.env.BRK_GATEWAY_PUBLIC_URL).toBe('https://brk.example');
    expect(() => systemParts({ BRK_GATEWAY_PORT: '8307x' }, '/repo', fail)).toThrow(
      'BRK_GATEWAY_PORT must be a whole number from 0 to 65535, got "8307x"',
    );
    expect(PORT_SETTINGS).toContain('BRK_SOURCE_PORT');
    expect(PORT_SETTINGS).toMatch(/BEHEER_HAARLEM_PORT, WITNESS_REGISTRY_PORT and WITNESS_AP_PORT$/);
  });

  it('runs two witnesses on 8313 and 8314, each with its own key and state, which the registry lists', () => {
    const { parts } = systemParts({ WITNESS_AP_PORT: '9314', DATA_DIR: '/tmp/elsewhere' }, '/repo', fail);
    const [registry, ap] = [parts['witness-registry'], parts['witness-ap']];
    expect([registry.port, ap.port]).toEqual([8313, 9314]);
    expect(registry.args).toEqual(
      expect.arrayContaining(['witness', 'serve', '--name', 'poortwachter.example/getuige-registry']),
    );
    expect(ap.args).toEqual(expect.arrayContaining(['--name', 'poortwachter.example/getuige-ap', '--port', '9314']));
    // The key the registry's demo seed made and listed; the state apart, so the two never share a file.
    const option = (args: readonly string[] | undefined, name: string) => args?.[(args?.indexOf(name) ?? -2) + 1];
    expect(option(registry.args, '--key')).toBe('/tmp/elsewhere/keys/getuige-registry.jwk.json');
    expect(option(ap.args, '--key')).toBe('/tmp/elsewhere/keys/getuige-ap.jwk.json');
    expect(option(registry.args, '--data-dir')).toBe('/tmp/elsewhere/getuige-registry');
    expect(option(ap.args, '--data-dir')).toBe('/tmp/elsewhere/getuige-ap');
    expect(parts.registry.env).toMatchObject({
      WITNESS_REGISTRY_PUBLIC_URL: 'http://localhost:8313',
      WITNESS_AP_PUBLIC_URL: 'http://localhost:9314',
    });
    expect(() => systemParts({ WITNESS_REGISTRY_PORT: 'x' }, '/repo', fail)).toThrow(/WITNESS_REGISTRY_PORT/);
  });
});
