/**
 * `poortwachter witness vkey` as the registry operator (and `pnpm start`) runs it: it prints the
 * witness's verifier key, making the key on first use, and the same key on every later run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COSIGNATURE_ED25519, parseVkey } from '@poortwachter/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';

describe('poortwachter witness vkey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poortwachter-witness-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the vkey of a key it makes on first use (0600), and the same one after', async () => {
    const name = 'poortwachter.example/getuige-ap';
    const first = await runCli(['witness', 'vkey', '--name', name, '--data-dir', join(dir, 'ap')]);
    expect(first.code).toBe(0);
    expect(first.err).toContain('made a new witness key');
    const key = parseVkey(first.out.trim());
    expect({ name: key.name, type: key.type }).toEqual({ name, type: COSIGNATURE_ED25519 });
    expect(statSync(join(dir, 'ap', 'witness-key.jwk.json')).mode & 0o777).toBe(0o600);
    // From the environment, as a supervisor may pass it.
    const again = await runCli(['witness', 'vkey'], { env: { WITNESS_NAME: name, WITNESS_DATA_DIR: join(dir, 'ap') } });
    expect({ code: again.code, out: again.out, err: again.err }).toEqual({ code: 0, out: first.out, err: '' });
  }, 60_000);

  it('refuses a name that cannot be a key name, and no name at all (exit 2)', async () => {
    const bad = await runCli(['witness', 'vkey', '--name', 'two words', '--data-dir', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('cannot be a key name');
    const none = await runCli(['witness', 'vkey', '--data-dir', join(dir, 'none')], { env: { WITNESS_NAME: '' } });
    expect(none.code).toBe(2);
    expect(none.err).toContain('--name');
  }, 60_000);
});
