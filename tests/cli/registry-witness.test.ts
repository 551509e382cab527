import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { COSIGNATURE_ED25519, formatVkey, noteKeyFromJwk, verifyDirectorySnapshot } from '@poortwachter/protocol';
import { startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';

const vkeyOf = (name: string) =>
  formatVkey(
    noteKeyFromJwk(
      name,
      COSIGNATURE_ED25519,
      generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as JWK,
    ),
  );

/**
 * Issue 30: the registry's operator lists witnesses and sets the quorum with `poortwachter registry
 * witness …` against a running registry (HTTP, admin token); a quorum that is not a majority is refused
 * with the registry's reason, exit 1.
 */
describe('poortwachter registry witness', () => {
  let registry: TestRegistry;
  let server: Server;
  let url: string;
  const folder = mkdtempSync(join(tmpdir(), 'poortwachter-witness-cli-'));
  const tokenFile = join(folder, 'registry-admin-token');
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite', { seed: false });
    writeFileSync(tokenFile, `${registry.adminToken}\n`, { mode: 0o600 });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: registry.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await registry?.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const cli = (...args: string[]) =>
    runCli(['registry', 'witness', ...args, '--registry', url], { env: { DATA_DIR: folder } });

  it('adds two witnesses, refuses a quorum that is no majority, removes one, and the directory says so', async () => {
    const [a, b] = ['getuige.example/a', 'getuige.example/b'];
    const first = await cli('add', '--vkey', vkeyOf(a), '--url', 'https://a.getuige.example', '--quorum', '1');
    expect(first.code, first.output).toBe(0);
    expect(first.out).toContain(`OK    listed witness ${a}`);
    expect(first.out).toContain("a head needs 1 of these 1 witnesses' cosignatures");

    const split = await cli('add', '--vkey', vkeyOf(b), '--url', 'https://b.getuige.example');
    expect(split.code, split.output).toBe(1);
    expect(split.err).toContain('quorum: Met 2 getuigen is het quorum 2');

    const second = await cli(
      'add',
      ...['--vkey', vkeyOf(b), '--url', 'https://b.getuige.example', '--operator', 'Stichting B'],
      ...['--quorum', '2', '--json'],
    );
    expect(second.code, second.output).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({
      quorum: 2,
      witnesses: [{ name: a }, { name: b, operator: 'Stichting B' }],
    });

    expect((await cli('quorum', '1')).code).toBe(1);
    const removed = await cli('remove', b, '--quorum', '1');
    expect(removed.code, removed.output).toBe(0);
    expect(removed.out).toContain(`OK    removed witness ${b}`);

    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.out).toContain(`  ${a}  https://a.getuige.example`);
    const snapshot = await verifyDirectorySnapshot(
      await (await fetch(`${url}/v1/directory`)).text(),
      registry.registryPublicKey,
    );
    expect([snapshot.witnesses?.map((w) => w.name), snapshot.witness_quorum]).toEqual([[a], 1]);
  }, 60_000);

  it('needs the admin token for a change, and a subcommand after witness', async () => {
    const noToken = await runCli(
      ['registry', 'witness', 'quorum', '1', '--registry', url, '--admin-token', join(folder, 'none')],
      { env: { DATA_DIR: folder } },
    );
    expect(noToken.code).toBe(2);
    expect(noToken.err).toContain('No admin token at');
    const wrongToken = join(folder, 'wrong');
    writeFileSync(wrongToken, 'not-the-token\n');
    const refused = await runCli([
      'registry',
      'witness',
      'quorum',
      '1',
      '--registry',
      url,
      '--admin-token',
      wrongToken,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('(401)');
    const bare = await runCli(['registry', 'witness']);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('poortwachter registry witness needs one of: list, add, remove, quorum');
  }, 60_000);
});
