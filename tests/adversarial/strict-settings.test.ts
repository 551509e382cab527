/**
 * Settings that would silently turn security off (issue 25, item 5), from outside: each server entry
 * started as an operator starts it, with a flag or an enumeration spelled in a way it does not accept.
 * It must not start on the default (`TLS_REQUIRE_CLIENT_CERT=TRUE` meaning no mutual TLS): it stops at
 * once, exit 2, with one line that names the setting and the values it accepts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, describe, expect, it } from 'vitest';
import { SOURCE_LOADER } from '../../scripts/source-loader.ts';
import { startEntry } from '../operations/server-entry.ts';
import { freePort, root } from '../start-system.ts';

const ENTRIES = {
  registry: 'packages/registry/src/server/main.ts',
  gateway: 'packages/gateway/src/server/main.ts',
  outway: 'packages/gateway/src/server/outway-main.ts',
  portal: 'packages/portal/src/server/main.ts',
  'dev-idp': 'examples/dev-idp/src/server.ts',
  source: 'examples/brp-source/src/server.ts',
  auditor: 'packages/sdk/src/cli/main.ts',
  'pnpm start': 'scripts/start-system.ts',
} as const;
type Server = keyof typeof ENTRIES;

const BOOLEAN = ['true', 'false'];
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'];

/** [server, the settings it is started with, the setting the line must name, the values it must list]. */
const CASES: [Server, Record<string, string>, string, string[]][] = [
  ['registry', { TLS_REQUIRE_CLIENT_CERT: 'TRUE' }, 'TLS_REQUIRE_CLIENT_CERT', BOOLEAN],
  ['gateway', { TLS_REQUIRE_CLIENT_CERT: '1' }, 'TLS_REQUIRE_CLIENT_CERT', BOOLEAN],
  ['outway', { TLS_REQUIRE_CLIENT_CERT: 'yes' }, 'TLS_REQUIRE_CLIENT_CERT', BOOLEAN],
  ['portal', { TLS_REQUIRE_CLIENT_CERT: 'True' }, 'TLS_REQUIRE_CLIENT_CERT', BOOLEAN],
  ['dev-idp', { TLS_REQUIRE_CLIENT_CERT: 'on' }, 'TLS_REQUIRE_CLIENT_CERT', BOOLEAN],
  // Asked for, but with no CA to check client certificates against: it would quietly be no mutual TLS.
  ['source', { TLS_REQUIRE_CLIENT_CERT: 'true' }, 'TLS_REQUIRE_CLIENT_CERT', ['TLS_CLIENT_CA_FILE']],
  ['portal', { IDP_DEVELOPMENT: 'False' }, 'IDP_DEVELOPMENT', BOOLEAN],
  ['registry', { SEED: 'Demo' }, 'SEED', ['demo', 'none']],
  ['gateway', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', LEVELS],
  ['source', { LOG_LEVEL: 'INFO' }, 'LOG_LEVEL', LEVELS],
  ['gateway', { WORKERS: 'Auto' }, 'WORKERS', ['auto']],
  ['gateway', { WORKERS: ' 1' }, 'WORKERS', ['auto', '256']],
  ['gateway', { WORKERS: '2.0' }, 'WORKERS', ['auto', '256']],
  ['dev-idp', { DEV_IDP_ALLOW_REMOTE: 'yes' }, 'DEV_IDP_ALLOW_REMOTE', ['test']],
  ['outway', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }, 'OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS],
  ['registry', { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'JSON' }, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', PROTOCOLS],
  ['source', { OTEL_METRICS_EXPORTER: 'otlp,prometeus' }, 'OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'none']],
  ['auditor', { PORT: 'eighty' }, 'PORT', ['0', '65535']],
  // pnpm start's own settings: a port that is not one never quietly becomes a default (or NaN).
  ['pnpm start', { GATEWAY_PORT: '8302abc' }, 'GATEWAY_PORT', ['0', '65535']],
];

const data = mkdtempSync(join(tmpdir(), 'poortwachter-settings-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** Starts `server` with `env` and waits for its exit (at most 30 s: one that starts anyway is stopped). */
async function run(server: Server, env: Record<string, string>) {
  const args = server === 'auditor' ? ['audit', 'serve'] : [];
  const child = spawn(process.execPath, [...SOURCE_LOADER, ENTRIES[server], ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: data,
      PORT: String(await freePort()),
      ORGANISATION_OIN: DEMO_OIN.utrecht,
      REGISTRY_URL: `http://127.0.0.1:${await freePort()}`,
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, output };
}

describe('a flag or an enumeration spelled otherwise stops the server at start (exit 2, one line)', () => {
  it.each(CASES)(
    '%s with %o',
    async (server, env, setting, accepted) => {
      const { code, output } = await run(server, env);
      const lines = output.trim().split('\n');
      expect(lines, output).toHaveLength(1);
      const line = lines[0] as string;
      // The servers write their one line as a JSON log line; the auditor's page and pnpm start write text.
      const message = line.startsWith('{') ? (JSON.parse(line) as { level: string; msg: string }).msg : line;
      if (line.startsWith('{')) expect(JSON.parse(line)).toMatchObject({ level: 'fatal' });
      expect(message).toContain(setting);
      for (const value of accepted) expect(message).toContain(value);
      expect(message).toContain(Object.values(env)[0]);
      expect(code, output).toBe(2);
    },
    40_000,
  );

  it('starts with the values it documents, however many', async () => {
    const source = await startEntry(ENTRIES.source, {
      PORT: String(await freePort()),
      TLS_REQUIRE_CLIENT_CERT: 'false',
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_METRICS_EXPORTER: 'otlp, prometheus',
    });
    expect((await source.stop()).code).toBe(0);
  }, 40_000);
});
