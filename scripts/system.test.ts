import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import { DEMO_WITNESSES } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntry } from '../tests/run-process.ts';
import { freePort, type RunningSystem, startSystem } from '../tests/start-system.ts';

/** Runs a TypeScript entry of the workspace to completion: its exit code and output. */
const run = (entry: string, args: string[], env: Record<string, string>) => runEntry(entry, args, { env });

/**
 * The README's promise, end to end: `pnpm start` brings registry, source and gateway up on an empty
 * ./data/, `pnpm demo` makes a gemeente query Suzanne Moulin through the sdk, and the CLI works.
 */
describe('the whole system (pnpm start, pnpm demo, pnpm poortwachter query)', () => {
  let system: RunningSystem;
  let env: Record<string, string>;
  let startOutput = '';
  let ports: number[] = [];

  beforeAll(async () => {
    system = await startSystem();
    const { registry, source, gateway, idp, brkSource, brkGateway } = system.ports;
    ports = [registry, source, gateway, idp, system.ports.outway, brkSource, brkGateway];
    ports.push(system.ports.witnessRegistry, system.ports.witnessAp);
    startOutput = system.output;
    env = { DATA_DIR: system.data, REGISTRY_URL: `http://localhost:${registry}`, IDP_URL: `http://localhost:${idp}` };
  }, 90_000);

  afterAll(async () => {
    await system.stop();
  });

  it('starts seeded, with the gateway ready, and says what to try', () => {
    expect(startOutput).toContain('seeded the demo registry');
    expect(startOutput).toMatch(/poortwachter is running \(\d+ ms, every part ready\)/);
    expect(startOutput).toContain('pnpm demo');
  });

  it('runs the two witnesses the directory lists with quorum 2, each signing with the key listed for it', async () => {
    const { registry, witnessRegistry, witnessAp } = system.ports;
    const pinned = JSON.parse(readFileSync(join(system.data, 'keys', 'registry.public.jwk.json'), 'utf8'));
    const jws = await (await fetch(`http://127.0.0.1:${registry}/v1/directory`)).text();
    const snapshot = await verifyDirectorySnapshot(jws, pinned);
    expect(snapshot.witness_quorum).toBe(2);
    const port = { 'getuige-registry': witnessRegistry, 'getuige-ap': witnessAp };
    for (const demo of DEMO_WITNESSES) {
      const listed = snapshot.witnesses?.find((w) => w.name === demo.name);
      expect(listed?.url).toBe(`http://localhost:${port[demo.id]}`);
      expect((await fetch(`http://127.0.0.1:${port[demo.id]}/readyz`)).status).toBe(200);
      // The running witness says which key it signs with: the one the registry lists for it.
      expect(system.printed()).toContain(`vkey ${listed?.vkey}`);
      expect(statSync(join(system.data, 'keys', demo.keyFile)).mode & 0o777).toBe(0o600);
    }
    const summary = await run('packages/sdk/src/cli/main.ts', ['directory'], env);
    expect(summary.code, summary.output).toBe(0);
    expect(summary.out).toContain(
      'witnesses: a head needs 2 of 2 cosignatures (poortwachter.example/getuige-ap, poortwachter.example/getuige-registry)',
    );
  });

  it('refuses a second pnpm start on the same ports, naming them, before starting anything', async () => {
    const { registry, source, gateway, idp, outway } = system.ports;
    const second = await run('scripts/start-system.ts', [], {
      DATA_DIR: join(system.data, 'second'),
      REGISTRY_PORT: String(registry),
      SOURCE_PORT: String(source),
      GATEWAY_PORT: String(gateway),
      IDP_PORT: String(idp),
      OUTWAY_PORT: String(outway),
    });
    expect(second.code).toBe(1);
    expect(second.output).toContain(`port ${registry} (registry)`);
    expect(second.output).toContain('in use by another process');
    expect(second.output).not.toContain('poortwachter is running');
    expect(second.output).not.toContain('EADDRINUSE');
  });

  it('says which part did not start, and why', async () => {
    const ports = {
      REGISTRY_PORT: String(await freePort()),
      SOURCE_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      IDP_PORT: String(await freePort()),
      OUTWAY_PORT: String(await freePort()),
      BRK_SOURCE_PORT: String(await freePort()),
      BRK_GATEWAY_PORT: String(await freePort()),
    };
    // A maximum directory age the registry's re-sign interval (60 s) cannot meet: the gateway refuses it.
    const failed = await run('scripts/start-system.ts', [], {
      DATA_DIR: join(system.data, 'failing'),
      DIRECTORY_MAX_AGE_SECONDS: '30',
      ...ports,
    });
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(
      /poortwachter did not start: (gateway|brk-gateway|outway) stopped \(exit 2: (cannot start: )?DIRECTORY_MAX_AGE_SECONDS=30 is too short/,
    );
    expect(failed.output).not.toContain('poortwachter is running');
  }, 90_000);

  it('listens on 127.0.0.1 only: another address of this machine is refused on every port', async () => {
    const connects = (host: string, port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    for (const port of ports) {
      expect(await connects('127.0.0.1', port), `127.0.0.1:${port}`).toBe(true);
      // 127.0.0.2 reaches this machine too, but only a server bound to every interface answers it.
      expect(await connects('127.0.0.2', port), `127.0.0.2:${port}`).toBe(false);
    }
  });

  it('answers --help on every command, and names the nearest command or option to a typo (exit 2)', async () => {
    const cli = (...args: string[]) => run('packages/sdk/src/cli/main.ts', args, env);
    for (const command of [
      ['directory'],
      ['keys', 'generate'],
      ['query'],
      ['inzage'],
      ['audit', 'coverage'],
      ['audit', 'reconcile'],
      ['log', 'verify'],
    ]) {
      const { code, output } = await cli(...command, '--help');
      expect(code, command.join(' ')).toBe(0);
      expect(output, command.join(' ')).toContain(`poortwachter ${command.join(' ')} [options]`);
      expect(output).not.toContain('Unknown option');
    }
    const typo = await cli('query', '--feilds', 'naam');
    expect(typo.code).toBe(2);
    expect(typo.output).toContain("Did you mean '--fields'?");
    const command = await cli('auditt');
    expect(command.code).toBe(2);
    expect(command.output).toContain("Did you mean 'audit'?");
  }, 60_000);

  it('makes every database file readable by its owner only (0600)', () => {
    for (const file of ['gateway.db', 'registry.db', 'outway.db']) {
      expect((statSync(join(system.data, file)).mode & 0o777).toString(8), file).toBe('600');
      for (const companion of ['-wal', '-shm']) {
        const path = join(system.data, `${file}${companion}`);
        if (existsSync(path)) expect((statSync(path).mode & 0o777).toString(8), path).toBe('600');
      }
    }
  });

  it("writes the outway's demo API key and admin token readable by their owner only (0600)", () => {
    for (const file of ['outway-api-key', 'outway-admin-token', 'keys/outway-log.key']) {
      expect((statSync(join(system.data, file)).mode & 0o777).toString(8), file).toBe('600');
    }
  });

  it('keeps the development identity provider off the network unless told it is a test', async () => {
    const port = String(await freePort());
    const refused = await run('examples/dev-idp/src/server.ts', [], {
      DATA_DIR: system.data,
      PORT: port,
      HOST: '0.0.0.0',
      // In the demo, where it may run at all: the network rule is what refuses it.
      POORTWACHTER_DEMO: 'true',
    });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('refusing to listen on 0.0.0.0');
  });

  it('runs the demo: a verified answer, a named refusal, and the access record it caused', async () => {
    const { code, output } = await run('examples/demo/query-suzanne.ts', [], env);
    expect(code).toBe(0);
    expect(output).toContain('"voornamen": "Suzanne"');
    expect(output).toContain('signature of RvIG verified: true');
    expect(output).toContain('refused: unauthorizedField (403)');
    expect(output).toContain('fields.1');
    expect(output).toMatch(/access log of RvIG.s gateway for transaction [0-9a-f-]{36} \(1 record\)/);
    expect(output).toContain('"dpl.core.data_subject_id_type": "BSN"');
    expect(output).not.toMatch(/"dpl\.core\.data_subject_id": "999993653"/);
  }, 60_000);

  it('checks the elfproef and dates before anything is asked, in the CLI as at the gateway', async () => {
    const cli = (...args: string[]) => run('packages/sdk/src/cli/main.ts', args, env);
    const bsn = await cli('query', '--as', 'utrecht', '--bsn', '123456789', '--fields', 'naam.voornamen');
    expect(bsn.code).toBe(1);
    expect(bsn.output).toContain('burgerservicenummer.0: 123456789 is geen burgerservicenummer');
    const date = await cli('inzage', '--bsn', '999993653', '--van', '01-11-2026');
    expect(date.code).toBe(2);
    expect(date.output).toContain('--van 01-11-2026 is geen datum');
    expect(date.output).not.toContain('Niemand heeft uw gegevens bekeken');
  });

  it('answers the CLI query, and refuses one the autorisatie does not cover', async () => {
    const ok = await run(
      'packages/sdk/src/cli/main.ts',
      ['query', '--as', 'utrecht', '--bsn', '999993653', '--fields', 'naam.voornamen,geboorte.datum'],
      env,
    );
    expect(ok.code).toBe(0);
    expect(ok.output).toContain('response signature verified');
    expect(ok.output).toMatch(/naam\.voornamen\s+Suzanne/);
    expect(ok.output).toMatch(/geboorte\.datum\s+1 december 1985/);
    const refused = await run(
      'packages/sdk/src/cli/main.ts',
      ['query', '--as', 'utrecht', '--bsn', '999993653', '--fields', 'nationaliteiten'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('unauthorizedField');
  }, 60_000);

  it('calls any operation of any service with poortwachter call: signed, the answer verified, printed as JSON', async () => {
    const cli = (...args: string[]) => run('packages/sdk/src/cli/main.ts', args, env);
    const body = {
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam.voornamen'],
    };
    const ok = await cli(
      'call',
      ...['--as', 'utrecht', '--service', 'brp-personen', '--method', 'POST', '--path', '/personen'],
      ...['--body', JSON.stringify(body)],
    );
    expect(ok.code, ok.output).toBe(0);
    expect(ok.err).toContain('response signature verified');
    expect(JSON.parse(ok.out)).toMatchObject({ personen: [{ naam: { voornamen: 'Suzanne' } }] });
    const outside = await cli('call', '--as', 'utrecht', '--service', 'brp-personen', '--path', '/../personen');
    expect(outside.code).toBe(2);
    expect(outside.err).toContain('no . or .. segments');
  }, 60_000);

  it("calls Kadaster's gateway with poortwachter call: Suzanne's home by address, as Utrecht", async () => {
    const brk = await run(
      'packages/sdk/src/cli/main.ts',
      ['call', '--as', 'utrecht', '--service', 'brk-bevragen', '--path', '/kadastraalonroerendezaken'].concat([
        '--query',
        'postcode=3077AW&huisnummer=31',
      ]),
      env,
    );
    expect(brk.code, brk.output).toBe(0);
    expect(brk.err).toContain('response signature verified');
    expect(JSON.parse(brk.out)).toHaveProperty('_embedded');
  }, 60_000);

  it('shows Suzanne, logged in at the dev identity provider, the queries the example made', async () => {
    const { code, output } = await run('packages/sdk/src/cli/main.ts', ['inzage', '--bsn', '999993653'], env);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Wie heeft uw gegevens bekeken \(BSN 999993653\): [2-9] keer/);
    expect(output).toContain('Gemeente Utrecht');
    expect(output).toContain('Wmo-maatwerkvoorziening');
    expect(output).toContain('https://wetten.overheid.nl/');
    expect(output).not.toContain('LET OP');
    const json = await run('packages/sdk/src/cli/main.ts', ['inzage', '--bsn', '999993653', '--json'], env);
    const timeline = JSON.parse(json.output) as { records: { verified: boolean }[]; complete: boolean };
    expect(timeline.complete).toBe(true);
    expect(timeline.records.every((r) => r.verified)).toBe(true);
  }, 60_000);

  it('gives the auditor a coverage report with the seeded unused autorisaties as findings', async () => {
    const { code, output } = await run('packages/sdk/src/cli/main.ts', ['audit', 'coverage'], env);
    expect(code, output).toBe(0);
    expect(output).toContain('auditor: Autoriteit Persoonsgegevens');
    expect(output).toMatch(/scanning brp-personen \[#+\] \d+\/\d+/);
    expect(output).toContain('Accesses not covered at their moment (must be none): 0');
    expect(output).toMatch(/Dormant autorisaties \(no access in the period\): [1-9]/);
    // UWV's WW contract is dormant: named by its contract hash, with the afnemer and the activity.
    expect(output).toMatch(
      /\$1\$1\$[\w-]+ +Uitvoeringsinstituut Werknemersverzekeringen \(UWV\) \(\d{20}\) +\S+ww-uitkering/,
    );
    expect(output).toMatch(/Authorised but unused fields of autorisaties in use \(data minimisation\): [1-9]/);
    const verified = await run('packages/sdk/src/cli/main.ts', ['audit', 'coverage', '--verify'], env);
    expect(verified.code, verified.output).toBe(0);
    // Both bronhouders' logs, each recomputed from its own proven entries, and together.
    const brk = `http://localhost:${system.ports.brkGateway}`;
    const brp = `http://localhost:${system.ports.gateway}`;
    for (const gateway of [brk, brp]) {
      expect(verified.output).toMatch(
        new RegExp(`VERIFIED: ${gateway}: recomputed from \\d+ proven entries of the signed heads`),
      );
    }
    expect(output).toContain(`Coverage of brk-bevragen at ${brk}`);
    expect(output).toMatch(/Together \(brk-bevragen, brp-personen\): accesses \d+/);
    const csv = await run('packages/sdk/src/cli/main.ts', ['audit', 'coverage', '--format', 'csv'], env);
    // Every finding is in the export too, with the afnemer's name beside its OIN.
    const lines = csv.output.split('\n');
    expect(lines.find((l) => l.startsWith('kind,'))).toBe(
      'kind,gateway,afnemer,oin,processing_activity,accesses,data_subjects,fields_used_of_authorised,unused_fields,refusals,accepted_by,item,at,detail',
    );
    expect(lines.some((l) => l.startsWith('coverage,'))).toBe(true);
    expect(lines.find((l) => l.startsWith('dormant_autorisatie,') && l.includes('ww-uitkering'))).toMatch(
      /,Uitvoeringsinstituut Werknemersverzekeringen \(UWV\),\d{20},/,
    );
    expect(lines.some((l) => l.startsWith('unused_fields,'))).toBe(true);
  }, 60_000);

  it('proves every record in the verifiable log, and reports a record edited in the database', async () => {
    const cli = (...args: string[]) => run('packages/sdk/src/cli/main.ts', args, env);
    const proven = await cli('inzage', '--bsn', '999993653', '--verify');
    expect(proven.code, proven.output).toBe(0);
    expect(proven.output).toMatch(/Alle \d+ regels zijn bewezen|De regel is bewezen/);
    const consistent = await cli('log', 'verify');
    expect(consistent.code, consistent.output).toBe(0);
    expect(consistent.output).toContain('The logs are consistent.');

    const tamper = await run('examples/demo/tamper-one-record.ts', [], env);
    expect(tamper.code, tamper.output).toBe(0);
    const id = /edited record ([0-9a-f-]{36})/.exec(tamper.output)?.[1] ?? 'none';
    const citizen = await cli('inzage', '--bsn', '999993653', '--verify');
    expect(citizen.code).toBe(1);
    expect(citizen.output).toContain('NIET bewezen');
    expect(citizen.output).toContain(id);
    const auditor = await cli('log', 'verify', '--full');
    expect(auditor.code).toBe(1);
    expect(auditor.output).toContain(`record ${id}`);
    expect(auditor.output).toContain('was CHANGED after it was logged');
  }, 60_000);

  it('starts a part again that stopped, while the others keep running', async () => {
    // The source's process: the one whose environment says its port.
    const pid = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .find((entry) => {
        try {
          const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
          const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
          return cmdline.includes('brp-source/src/server.ts') && environ.includes(`PORT=${system.ports.source}`);
        } catch {
          return false;
        }
      });
    expect(pid).toBeDefined();
    process.kill(Number(pid), 'SIGKILL');
    const deadline = Date.now() + 30_000;
    let answered = false;
    while (!answered && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      answered =
        system.printed().includes('starting it again') &&
        (await fetch(`http://127.0.0.1:${system.ports.source}/healthz`).then(
          (res) => res.ok,
          () => false,
        ));
    }
    expect(system.printed()).toMatch(/\[source\] stopped \(SIGKILL\); the other parts keep running; starting it again/);
    expect(answered).toBe(true);
    // The gateway kept running all along and answers through the new source.
    const { code, output } = await run(
      'packages/sdk/src/cli/main.ts',
      ['query', '--as', 'utrecht', '--bsn', '999993653', '--fields', 'naam.voornamen'],
      env,
    );
    expect(code, output).toBe(0);
    expect(output).toContain('Suzanne');
  }, 60_000);

  it('stops gracefully on SIGTERM', async () => {
    const code = await system.stop();
    expect(code, system.printed().split('\n').slice(-30).join('\n')).toBe(0);
  }, 30_000);
});
