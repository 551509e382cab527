/**
 * The citizen's download, from outside: against `pnpm start`, the CLI as a child process logs in as
 * Suzanne at the dev identity provider, prints what the BRP and the BRK hold about her and writes the
 * download file; `verify-download` (another child process, no network needed) accepts the file as
 * written, and refuses it, naming the bron, when one character is edited or when an answer is signed by
 * a key that is not anchored at the demo CA.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentDigest, READ_RESPONSE_COMPONENTS, signMessage } from '@poortwachter/protocol';
import { issueCertificate, makeCertificateAuthority } from '@poortwachter/protocol/contracts';
import { DEMO_OIN } from '@poortwachter/seeds';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';

const SUZANNE = '999993653';

interface Bron {
  dienst: string;
  bronhouder: { naam: string; oin: string };
  antwoord: { status: number; headers: Record<string, string>; body: string };
  sleutel: Record<string, unknown>;
}
interface File {
  formaat: string;
  bronnen: Bron[];
}

describe('poortwachter gegevens: usage errors before anything is asked', () => {
  // Nowhere to reach: a command that got past its checks would fail on the network, not exit 2.
  const env = { REGISTRY_URL: 'http://127.0.0.1:9', IDP_URL: 'http://127.0.0.1:9' };

  it('without --bsn or --token, or with a BSN that fails the elfproef: exit 2, one line', async () => {
    const none = await runCli(['gegevens'], { env });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/poortwachter gegevens needs --bsn, or --token\./);
    const wrong = await runCli(['gegevens', '--bsn', '123456789'], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toBe('123456789 is geen BSN (9 cijfers, elfproef).\n');
  });

  it('verify-download without FILE, or with trust anchors that are not there: exit 2 naming it', async () => {
    const none = await runCli(['verify-download'], { env });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/poortwachter verify-download needs FILE/);
    const anchors = await runCli(['verify-download', 'x.json', '--trust-anchors', '/nonexistent/ca.pem'], { env });
    expect(anchors.code).toBe(2);
    expect(anchors.err).toMatch(/^No trust anchors at \/nonexistent\/ca\.pem: pass --trust-anchors/);
  });
});

describe('poortwachter gegevens --download and verify-download', () => {
  let system: RunningSystem;
  let env: Record<string, string>;
  let file: string;
  let written: File;

  const verify = (path: string, ...args: string[]) => runCli(['verify-download', path, ...args], { env });
  /** A copy of the download with `change` applied, written beside it; its path. */
  const variant = (name: string, change: (f: File) => File | string) => {
    const changed = change(structuredClone(written));
    const path = join(system.data, name);
    writeFileSync(path, typeof changed === 'string' ? changed : JSON.stringify(changed, null, 2));
    return path;
  };

  beforeAll(async () => {
    system = await startSystem();
    env = {
      DATA_DIR: system.data,
      REGISTRY_URL: `http://127.0.0.1:${system.ports.registry}`,
      IDP_URL: `http://127.0.0.1:${system.ports.idp}`,
    };
    file = join(system.data, 'gegevens-suzanne.json');
    const run = await runCli(['gegevens', '--bsn', SUZANNE, '--download', file], { env });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    // What she sees: her BRP data and her home in the BRK, by the catalogue's labels.
    expect(run.out).toMatch(/Rijksdienst voor Identiteitsgegevens \(brp-personen\):/);
    expect(run.out).toMatch(/voornamen: Suzanne/);
    expect(run.out).toMatch(/Kadaster \(brk-bevragen\):/);
    expect(run.out).toMatch(/straat van het huis of de grond: /);
    expect(run.out).toMatch(`poortwachter verify-download ${file}`);
    written = JSON.parse(readFileSync(file, 'utf8')) as File;
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('writes the file for the citizen only (0600), with each bronhouder and its signed answer', () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(written.formaat).toBe('poortwachter-gegevens/1');
    expect(written.bronnen.map((b) => b.bronhouder.oin).sort()).toEqual([DEMO_OIN.kadaster, DEMO_OIN.rvig].sort());
    for (const bron of written.bronnen) {
      expect(bron.antwoord.status).toBe(200);
      expect(Object.keys(bron.antwoord.headers).sort()).toEqual([
        'content-digest',
        'content-type',
        'fsc-transaction-id',
        'signature',
        'signature-input',
      ]);
      expect(bron.sleutel).toHaveProperty('x5c');
    }
    const brp = written.bronnen.find((b) => b.dienst === 'brp-personen');
    expect(JSON.parse(brp?.antwoord.body ?? '{}').personen[0].burgerservicenummer).toBe(SUZANNE);
  });

  it('the file as written verifies against the demo CA: exit 0, naming the anchors it used', async () => {
    const run = await verify(file);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/^Vertrouwensankers: .*demo-ca\.pem \(de demo-CA, standaard\)\.$/m);
    expect(run.out).toMatch(
      /in orde: bronnen\[\d\] \(brp-personen, .*\): ondertekend door Rijksdienst voor Identiteitsgegevens/,
    );
    expect(run.out).toMatch(/in orde: bronnen\[\d\] \(brk-bevragen, .*\): ondertekend door Kadaster/);
    expect(run.out).toMatch(/Het bestand is in orde/);
    // --trust-anchors and TRUST_ANCHORS_FILE are the anchors when given, and it says so.
    const anchors = join(system.data, 'keys', 'demo-ca.pem');
    expect((await verify(file, '--trust-anchors', anchors)).err).toMatch(/\(uit --trust-anchors\)/);
    const byEnv = await runCli(['verify-download', file], { env: { ...env, TRUST_ANCHORS_FILE: anchors } });
    expect(byEnv.code).toBe(0);
    expect(byEnv.err).toMatch(/\(uit TRUST_ANCHORS_FILE\)/);
  });

  it('one character of the BRP body edited: exit 1, naming the bron', async () => {
    const path = variant('edited.json', (f) => {
      const text = JSON.stringify(f, null, 2);
      // Suzanne's first name, one letter changed, inside the BRP answer's body only.
      const at = text.indexOf('Suzanne');
      expect(at).toBeGreaterThan(0);
      return `${text.slice(0, at)}Suzanna${text.slice(at + 'Suzanne'.length)}`;
    });
    const run = await verify(path);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /NIET IN ORDE: bronnen\[\d\] \(brp-personen, .*\): the body is not what the bronhouder signed/,
    );
    expect(run.out).toMatch(/in orde: bronnen\[\d\] \(brk-bevragen/);
    expect(run.out).toMatch(/Het bestand is NIET in orde/);
  });

  it('an answer re-signed with a key the demo CA did not certify: exit 1, not the bronhouder’s key', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
    const publicJwk = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x } as JWK;
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    // A certificate that names RvIG's OIN, from a CA of the attacker's own.
    const x5c = [
      issueCertificate({
        issuer: makeCertificateAuthority('Not the demo CA'),
        subject: {
          commonName: 'RvIG',
          organisation: 'Rijksdienst voor Identiteitsgegevens',
          serialNumber: DEMO_OIN.rvig,
        },
        publicJwk,
      }),
    ];
    const brp = written.bronnen.findIndex((b) => b.dienst === 'brp-personen');
    const bron = written.bronnen[brp] as Bron;
    const body = bron.antwoord.body.replace('Suzanne', 'Suzanna');
    const headers: Record<string, string> = {
      ...bron.antwoord.headers,
      'content-digest': await contentDigest(body),
    };
    Object.assign(
      headers,
      await signMessage(
        { status: 200, header: (name) => headers[name] ?? null },
        {
          components: READ_RESPONSE_COMPONENTS,
          privateKey: { ...privateJwk, kid },
          created: Math.floor(Date.now() / 1000),
        },
      ),
    );
    const path = variant('forged.json', (f) => {
      f.bronnen[brp] = { ...bron, antwoord: { status: 200, headers, body }, sleutel: { ...publicJwk, kid, x5c } };
      return f;
    });
    const run = await verify(path);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /NIET IN ORDE: bronnen\[\d\] \(brp-personen, .*\): the key is not the bronhouder's \(OIN \d+\): its certificate chain does not lead to a trust anchor/,
    );
  });

  it('a file that is not one, or missing: exit 1 or 2 with one line, never a stack trace', async () => {
    const notJson = await verify(variant('cut.json', (f) => JSON.stringify(f).slice(0, 100)));
    expect(notJson.code).toBe(1);
    expect(notJson.out).toMatch(/NIET IN ORDE: .*cut\.json: the file is not JSON/);
    const missing = await verify(join(system.data, 'no-such-file.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^FILE .*no-such-file\.json cannot be read: /m);
    expect(missing.err).not.toMatch(/\n\s+at /);
  });
});
