import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';

/**
 * `poortwachter keys generate --pem FILE`: the same private key as PKCS #8 PEM, for the certificate
 * request an organisation sends its CA (README, the datacentre walkthrough's step 2), never another key.
 */
describe('poortwachter keys generate --pem', () => {
  const folder = mkdtempSync(join(tmpdir(), 'poortwachter-keys-cli-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes the JWK and the same key as PEM (0600), prints the public key, and keeps an existing PEM', async () => {
    for (const type of ['ed25519', 'p256']) {
      const [jwkFile, pemFile] = [join(folder, `${type}.jwk.json`), join(folder, `${type}.pem`)];
      const made = await runCli(['keys', 'generate', '--type', type, '--out', jwkFile, '--pem', pemFile]);
      expect(made.code, made.output).toBe(0);
      const jwk = JSON.parse(readFileSync(jwkFile, 'utf8')) as JsonWebKey & { kid: string };
      const pem = readFileSync(pemFile, 'utf8');
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(createPrivateKey(pem).export({ format: 'jwk' }).d).toBe(jwk.d);
      expect(statSync(pemFile).mode & 0o777).toBe(0o600);
      const printed = JSON.parse(made.out) as JsonWebKey & { kid: string; d?: string };
      expect(printed.d).toBeUndefined();
      expect(createPublicKey(pem).export({ format: 'jwk' }).x).toBe(printed.x);
      const again = await runCli(['keys', 'generate', '--out', join(folder, 'other.jwk.json'), '--pem', pemFile]);
      expect(again.code).toBe(2);
      expect(again.err).toContain(`${pemFile} exists; pass --force`);
      expect(readFileSync(pemFile, 'utf8')).toBe(pem);
    }
  }, 120_000);
});
