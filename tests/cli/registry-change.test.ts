import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { certifiedKey, startTestRegistry, type TestRegistry } from '@poortwachter/registry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';

const OIN = '00000001999000000003';
const activity = (responsibleOin: string) => ({
  id: 'https://www.voorbeeld.nl/verwerkingsactiviteiten/wmo',
  name: 'Wmo-maatwerkvoorziening',
  doel: 'Onderzoeken welke ondersteuning iemand nodig heeft.',
  grondslagIds: ['wet-brp-art-3.3'],
  responsibleOin,
  bewaartermijn: 'P15Y',
  vertrouwelijkheid: 'normaal',
});

/**
 * An organisation changes its own records in the registry from the command line (`poortwachter registry
 * change`), signed with its key, as the README's datacentre walkthrough has an afnemer enter its
 * verwerkingsactiviteit: the registry takes it as the organisation's change, refuses another's record
 * (exit 1, its reason printed), and a body that is not JSON is a usage error (exit 2).
 */
describe('poortwachter registry change', () => {
  let registry: TestRegistry;
  let server: Server;
  let url: string;
  const folder = mkdtempSync(join(tmpdir(), 'poortwachter-change-cli-'));
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite', { seed: false });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: registry.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Onboarded by the operator with its first key and that key's certificate.
    const { privateKey, key } = await certifiedKey(registry.keyDir, { oin: OIN, name: 'Voorbeeldgemeente' });
    writeFileSync(join(folder, 'key.jwk.json'), JSON.stringify(privateKey), { mode: 0o600 });
    const onboarded = await registry.admin('POST', '/v1/organisations', {
      oin: OIN,
      name: 'Voorbeeldgemeente',
      kind: 'gemeente',
      roles: ['afnemer'],
      keys: [key],
    });
    expect(onboarded.status, await onboarded.text()).toBe(201);
    const grondslag = await registry.admin('POST', '/v1/grondslagen', {
      id: 'wet-brp-art-3.3',
      title: 'Verstrekking van gegevens uit de BRP aan overheidsorganen',
      lawName: 'Wet basisregistratie personen',
      article: 'art. 3.3',
      bwbId: 'BWBR0033715',
      url: 'https://wetten.overheid.nl/jci1.3:c:BWBR0033715&artikel=3.3',
      avgBasis: 'e',
    });
    expect(grondslag.status, await grondslag.text()).toBe(201);
  });
  afterAll(async () => {
    server?.close();
    await registry?.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const change = (body: string, ...args: string[]) => {
    writeFileSync(join(folder, 'body.json'), body);
    return runCli(
      [
        'registry',
        'change',
        '--registry',
        url,
        '--key',
        join(folder, 'key.jwk.json'),
        '--body',
        join(folder, 'body.json'),
        ...args,
      ],
      { env: { DATA_DIR: folder } },
    );
  };

  it("enters the organisation's own verwerkingsactiviteit, recorded as its change", async () => {
    const done = await change(JSON.stringify(activity(OIN)), '--path', '/v1/processing-activities');
    expect(done.code, done.output).toBe(0);
    expect(JSON.parse(done.out)).toMatchObject({ id: activity(OIN).id });
    const changes = (await (await fetch(`${url}/v1/changes?entity=processing-activity`)).json()) as {
      actor: string;
    }[];
    expect(changes.map((c) => c.actor)).toEqual([OIN]);
  }, 60_000);

  it("refuses another organisation's record (exit 1, the registry's reason) and a body that is not JSON (exit 2)", async () => {
    const other = await change(
      JSON.stringify({ ...activity('00000001001000001000'), id: 'https://www.voorbeeld.nl/verwerkingsactiviteiten/x' }),
      '--path',
      '/v1/processing-activities',
    );
    expect(other.code, other.output).toBe(1);
    expect(other.err).toContain('refused: unauthorized (403)');
    const garbage = await change('{ not json', '--path', '/v1/processing-activities');
    expect(garbage.code, garbage.output).toBe(2);
    expect(garbage.err).toContain('is not JSON');
  }, 60_000);
});
