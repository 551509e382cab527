import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { CONTRACT_TIME_ZONE, dateTimeIn, verifyDirectorySnapshot } from '@poortwachter/protocol';
import { startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beheerPage } from '../../packages/sdk/src/cli/beheer-page.ts';
import type { ContractView } from '../../packages/sdk/src/contract-client.ts';
import { runCli } from '../run-process.ts';
import { root } from '../start-system.ts';

/** The lines of README's contract example, each as the words a shell would pass (comments dropped). */
function readmeContractCommands(): string[][] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Contracts: asking for access'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s#\s.*$/, '').trim())
    .filter((line) => line.startsWith('pnpm poortwachter '))
    .map((line) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(2));
}

/**
 * Issue 28 (part D): the contract commands as people type them. README's commands run as written
 * (organisations by name and abbreviation: `--oin rvig`); an organisation option that fits several
 * or none says so in one line; `--delegator` takes a name too, and a proposal the protocol refuses ends
 * in one line, never a stack trace; `--until 2027-12-31` holds through that day in Amsterdam, in the
 * CLI's output and on the management page alike; every signature shows when the registry received it.
 */
describe('poortwachter contract: as typed', () => {
  let registry: TestRegistry;
  let server: Server;
  let url: string;
  const folder = mkdtempSync(join(tmpdir(), 'poortwachter-contract-cli-'));
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
    // The CLI's own layout of a local system: ./data/keys/<OIN>.jwk.json, the pinned key, the demo CA.
    cpSync(registry.keyDir, join(folder, 'keys'), { recursive: true });
    writeFileSync(join(folder, 'keys', 'registry.public.jwk.json'), JSON.stringify(registry.registryPublicKey));
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
  const cli = (args: readonly string[]) =>
    runCli(args, {
      env: { DATA_DIR: folder, REGISTRY_URL: url, TRUST_ANCHORS_FILE: join(folder, 'keys', 'demo-ca.pem') },
    });
  const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

  it("runs README's contract commands as written, each signing one naming the organisation it signed as", async () => {
    const haarlem = `Gemeente Haarlem (${DEMO_OIN.haarlem})`;
    const rvig = `Rijksdienst voor Identiteitsgegevens (${DEMO_OIN.rvig})`;
    const commands = readmeContractCommands();
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'contract propose',
      'contract list',
      'contract show',
      'contract accept',
      'contract revoke',
    ]);
    let hash = '';
    for (const command of commands) {
      const args = command.map((word) => (word === '<hash>' ? hash : word));
      const result = await cli(args);
      expect(result.code, `${args.join(' ')}\n${result.output}`).toBe(0);
      noStackTrace(result.output);
      if (command[1] === 'propose') hash = /^contract (\S+)$/m.exec(result.out)?.[1] ?? '';
      if (command[1] === 'list') expect(result.out).toContain(hash);
      if (command[1] === 'accept') expect(result.out).toMatch(/^state\s+inForce$/m);
      if (command[1] === 'revoke') expect(result.out).toMatch(/^state\s+revoked$/m);
      // A command that signs names the organisation it signed as: `--oin rvig` resolved, in full.
      const signer = { propose: haarlem, accept: rvig, revoke: haarlem }[command[1] ?? ''];
      if (signer) expect(result.out.split('\n')[0]).toBe(`signed as    ${signer}`);
    }
    expect(hash).toMatch(/^\$1\$1\$/);
  }, 120_000);

  it('names the candidates when an organisation option fits several, and says how to name one that fits none', async () => {
    const several = await cli(['contract', 'list', '--oin', 'gemeente']);
    expect(several.code).toBe(2);
    expect(several.err.trimEnd().split('\n')).toHaveLength(1);
    expect(several.err).toContain('--oin "gemeente" fits 4 organisations: Gemeente Utrecht (');
    expect(several.err).toContain('Gemeente Haarlem (00000001000000392000)');
    const none = await cli(['contract', 'list', '--oin', 'brp']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--oin: no organisation "brp" in the directory.');
  }, 60_000);

  it('takes --delegator by name, and refuses a wrong proposal in one line (exit 2), never a stack trace', async () => {
    const propose = (oin: string, delegator: string) =>
      cli([
        ...['contract', 'propose', '--oin', oin, '--delegator', delegator, '--service', 'brp-personen'],
        ...['--activity', 'https://www.haarlem.nl/verwerkingsactiviteiten/bijstandsverlening'],
        ...['--grondslag', 'participatiewet-art-7', '--fields', 'burgerservicenummer,naam.voornamen'],
        ...['--search-types', 'RaadpleegMetBurgerservicenummer', '--until', '2027-12-31'],
      ]);
    const delegated = await propose('hertogenbosch', 'haarlem');
    expect(delegated.code, delegated.output).toBe(0);
    expect(delegated.out).toMatch(/^delegator\s+Gemeente Haarlem \(00000001000000392000\)$/m);

    const itself = await propose('haarlem', 'Haarlem');
    expect({ code: itself.code, out: itself.out }).toEqual({ code: 2, out: '' });
    expect(itself.err.trimEnd().split('\n')).toHaveLength(1);
    expect(itself.err).toContain('A delegator cannot delegate to itself.');
    noStackTrace(itself.err);

    const unknown = await propose('hertogenbosch', 'nergensland');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--delegator: no organisation "nergensland"');
  }, 60_000);

  it('reads --until as a day in Amsterdam and shows it so, in the CLI and on the page; each signature with when the registry received it', async () => {
    const proposed = await cli([
      ...['contract', 'propose', '--oin', 'haarlem', '--service', 'brp-personen'],
      ...['--activity', 'https://www.haarlem.nl/verwerkingsactiviteiten/bijstandsverlening'],
      ...['--grondslag', 'participatiewet-art-7', '--fields', 'burgerservicenummer', '--from', '2027-01-01'],
      ...['--search-types', 'RaadpleegMetBurgerservicenummer', '--until', '2027-12-31', '--json'],
    ]);
    expect(proposed.code, proposed.output).toBe(0);
    const contract = JSON.parse(proposed.out) as ContractView;
    expect(contract.content.validity).toEqual({
      not_before: Date.parse('2026-12-31T23:00:00Z') / 1000,
      not_after: Date.parse('2027-12-31T22:59:59Z') / 1000,
    });
    const recordedAt = contract.signatureDetails[0]?.recordedAt ?? '';
    expect(Date.parse(recordedAt)).toBeGreaterThan(Date.now() - 60_000);

    const shown = await cli(['contract', 'show', contract.hash]);
    expect(shown.code, shown.output).toBe(0);
    expect(shown.out).toMatch(/^valid\s+2027-01-01T00:00:00\+01:00 to 2027-12-31T23:59:59\+01:00$/m);
    expect(shown.out).toMatch(/^signed at\s+recorded at\s+who\s+what/m);
    const recordedShown = dateTimeIn(Date.parse(recordedAt), CONTRACT_TIME_ZONE).replace('+', '\\+');
    expect(shown.out).toMatch(new RegExp(`\\d\\s+${recordedShown}\\s+Gemeente Haarlem\\s+accept`));
    const listed = await cli(['contract', 'list', '--oin', 'rvig', '--state', 'proposed']);
    expect(listed.out).toMatch(new RegExp(`${contract.hash.replace(/\$/g, '\\$')}.*2027-12-31\\s*$`, 'm'));

    // The management page of RvIG, from the same directory and contract: the same last day.
    const directory = await verifyDirectorySnapshot(
      await (await fetch(`${url}/v1/directory`)).text(),
      registry.registryPublicKey,
    );
    const rvig = directory.organisations.find((o) => o.oin === DEMO_OIN.rvig);
    if (!rvig) throw new Error('RvIG is not in the directory');
    const page = beheerPage({ organisation: rvig, directory, contracts: [contract] });
    expect(page).toContain('van 1 januari 2027 tot en met 31 december 2027');
    expect(page).toContain('<th scope="col">Ontvangen door het register</th>');
  }, 60_000);
});
