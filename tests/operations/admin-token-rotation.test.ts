import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntry as runToEnd } from '../run-process.ts';
import { freePorts } from '../start-system.ts';
import { type EntryProcess, startEntry } from './server-entry.ts';

/**
 * Admin tokens are rotated and revoked while the servers run: the registry's through its `admin`
 * command (tokens in its database, as hashes), the outway's by editing ADMIN_TOKEN_FILE (a token a
 * line). A revoked token gets 401 from the next request on, the new one works, no restart.
 */
describe('admin tokens: rotate and revoke without a restart', () => {
  const data = mkdtempSync(join(tmpdir(), 'poortwachter-tokens-'));
  const running: EntryProcess[] = [];
  let registryUrl: string;
  let outwayUrl: string;

  beforeAll(async () => {
    const [registryPort, outwayPort] = (await freePorts(2)) as [number, number];
    registryUrl = `http://127.0.0.1:${registryPort}`;
    outwayUrl = `http://127.0.0.1:${outwayPort}`;
    const common = { DATA_DIR: data, DRAIN_TIMEOUT_SECONDS: '1' };
    running.push(await startEntry('packages/registry/src/server/main.ts', { ...common, PORT: String(registryPort) }));
    running.push(
      await startEntry('packages/gateway/src/server/outway-main.ts', {
        ...common,
        PORT: String(outwayPort),
        REGISTRY_URL: registryUrl,
        ORGANISATION_OIN: DEMO_OIN.utrecht,
      }),
    );
  }, 90_000);
  afterAll(async () => {
    for (const process of running.reverse()) await process.stop();
    rmSync(data, { recursive: true, force: true });
  });

  const admin = (...args: string[]) =>
    runToEnd('packages/registry/src/server/main.ts', ['admin', ...args], { env: { DATA_DIR: data } });
  /** An admin request that changes nothing: 401 without a valid token, 404 (no such service) with one. */
  const registryAsAdmin = async (token: string) =>
    (
      await fetch(`${registryUrl}/v1/services/bestaat-niet/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;
  const outwayAsAdmin = async (token: string) =>
    (await fetch(`${outwayUrl}/admin/v1/applications`, { headers: { authorization: `Bearer ${token}` } })).status;

  it("rotates the registry's admin token: add a new one, revoke the old, refuse the last revoke", async () => {
    const first = readFileSync(join(data, 'registry-admin-token'), 'utf8').trim();
    expect(await registryAsAdmin(first)).toBe(404);
    const added = await admin('admin-token', 'add', '--out', join(data, 'registry-admin-token.new'));
    expect(added.code, added.output).toBe(0);
    const second = readFileSync(join(data, 'registry-admin-token.new'), 'utf8').trim();
    expect(await registryAsAdmin(second)).toBe(404);
    expect(await registryAsAdmin(first)).toBe(404);

    const listed = await admin('admin-token', 'list');
    const ids = listed.out
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0] as string);
    expect(ids).toHaveLength(2);
    expect(listed.out).not.toContain(first);
    const revoked = await admin('admin-token', 'revoke', ids[0] as string);
    expect(revoked.code, revoked.output).toBe(0);
    expect(await registryAsAdmin(first)).toBe(401);
    expect(await registryAsAdmin(second)).toBe(404);

    const last = await admin('admin-token', 'revoke', ids[1] as string);
    expect(last.code).toBe(2);
    expect(last.err.trim()).toBe('admin-token revoke: it is the last admin token; add a new one first');
    expect(await registryAsAdmin(second)).toBe(404);
    const unknown = await admin('admin-token', 'forget');
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n').filter(Boolean)).toHaveLength(1);
  }, 180_000);

  it("rotates the outway's admin token by editing ADMIN_TOKEN_FILE, a token a line", async () => {
    const file = join(data, 'outway-admin-token');
    const first = readFileSync(file, 'utf8').trim();
    const second = 'pwo_second-token-of-at-least-some-length';
    expect(await outwayAsAdmin(first)).toBe(200);
    expect(await outwayAsAdmin(second)).toBe(401);
    appendFileSync(file, `# made during the rotation\n${second}\n`);
    expect(await outwayAsAdmin(second)).toBe(200);
    expect(await outwayAsAdmin(first)).toBe(200);
    writeFileSync(file, `${second}\n`);
    expect(await outwayAsAdmin(first)).toBe(401);
    expect(await outwayAsAdmin(second)).toBe(200);
  }, 30_000);
});

/**
 * The `admin` command reads the registry's settings through the registry's schema, as the server does:
 * with DATABASE_URL_FILE naming the database, a token it adds works against that registry (before, it
 * read DATABASE_URL only and quietly wrote a token into <DATA_DIR>/registry.db, a database nobody serves).
 */
describe('registry admin: the settings as the registry reads them', () => {
  const data = mkdtempSync(join(tmpdir(), 'poortwachter-admin-settings-'));
  const databaseUrlFile = join(data, 'database-url');
  const env = { DATA_DIR: data, DATABASE_URL_FILE: databaseUrlFile };
  let registry: EntryProcess | undefined;
  let registryUrl: string;

  beforeAll(async () => {
    writeFileSync(databaseUrlFile, `sqlite:${join(data, 'real.db')}\n`);
    const [port] = (await freePorts(1)) as [number];
    registryUrl = `http://127.0.0.1:${port}`;
    registry = await startEntry('packages/registry/src/server/main.ts', {
      ...env,
      PORT: String(port),
      DRAIN_TIMEOUT_SECONDS: '1',
    });
  }, 90_000);
  afterAll(async () => {
    await registry?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  const admin = (...args: string[]) => runToEnd('packages/registry/src/server/main.ts', ['admin', ...args], { env });

  it('adds a token to the database DATABASE_URL_FILE names: it works against the running registry', async () => {
    const added = await admin('admin-token', 'add', '--out', join(data, 'added-token'));
    expect(added.code, added.output).toBe(0);
    const token = readFileSync(join(data, 'added-token'), 'utf8').trim();
    const status = async () =>
      (
        await fetch(`${registryUrl}/v1/services/bestaat-niet/revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        })
      ).status;
    expect(await status()).toBe(404);
    expect(existsSync(join(data, 'registry.db'))).toBe(false);
  }, 60_000);

  it('stops on a setting it cannot use: one line, exit 2', async () => {
    const result = await runToEnd('packages/registry/src/server/main.ts', ['admin', 'admin-token', 'list'], {
      env: { DATA_DIR: data, DATABASE_URL: 'mysql://user:geheim@db/registry' },
    });
    expect(result.code, result.output).toBe(2);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toContain('DATABASE_URL must be sqlite:<path> or postgres://');
    expect(result.err).not.toContain('geheim');
  }, 60_000);

  it('--help gives the usage, exit 0', async () => {
    for (const args of [['--help'], ['admin-token', '--help'], ['-h']]) {
      const result = await admin(...args);
      expect(result.code, result.output).toBe(0);
      expect(result.out).toContain('usage: admin <command>');
      expect(result.out).toContain('admin-token revoke ID');
    }
  }, 60_000);
});
