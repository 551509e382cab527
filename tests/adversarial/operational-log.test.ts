/**
 * Request text in the operational log (issue 25, items 4 and 11), from outside: raw HTTP requests
 * against `pnpm start` and against a gateway and an outway started as server entries, whose JSON lines
 * are read as they are written. A path with CR/LF or a BSN in it must not add a line, in the JSON or
 * in `pnpm start`'s human view, nor leave the BSN anywhere: a path is logged by the route it matched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTS } from '../../scripts/system-parts.ts';
import { type EntryProcess, gatewayInstanceEnv, startEntry } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';

/** A BSN that is in no seed: wherever it shows up in the output, it came from a request's path. */
const BSN = '999990007';
const FORGED = 'FORGED';
/** Every part `pnpm start` runs, by the name its lines start with. */
const PARTS: readonly string[] = Object.keys(PORTS);
// Control characters in the data folder's name, which the registry's message and hints repeat: what
// `pnpm start` prints from a part is escaped, whatever its source.
const DATA_NAME = 'data\n[gateway] MISLEAD\u2028\r\u001b[2K';

/** Without the colours `pnpm start` gives each part's name (ESC [ … m). */
const withoutColour = (text: string) => text.replace(/\p{Cc}\[[0-9;]*m/gu, '');
const refusalCount = (text: string) => text.split('refused ').length - 1;

/** Waits until `output()` holds `count` more refusal lines than it did, so every request was logged. */
async function logged(output: () => string, before: number, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (refusalCount(output()) < before + count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(refusalCount(output())).toBeGreaterThanOrEqual(before + count);
}

/** The attacks: a forged line in the outway's and the gateway's paths, and a BSN in each. */
async function attack(urls: { outway: string; gateway: string; idp: string }, apiKey: string): Promise<number> {
  const token = (await (
    await fetch(`${urls.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: '999993653', assurance: 'midden' }),
    })
  ).json()) as { access_token: string };
  const bearer = { authorization: `Bearer ${token.access_token}` };
  const json = { 'content-type': 'application/json' };
  const requests: [string, RequestInit][] = [
    [`${urls.outway}/x%0a%5Bgateway%5D%20${FORGED}/personen`, { method: 'POST', headers: json, body: '{}' }],
    [
      `${urls.outway}/x%0d%0a%5Bregistry%5D%20${FORGED}%E2%80%A8/personen`,
      { method: 'POST', headers: { ...json, 'x-api-key': apiKey }, body: '{}' },
    ],
    [`${urls.outway}/${BSN}/personen`, { method: 'POST', headers: json, body: '{}' }],
    [`${urls.outway}/${BSN}/personen`, { method: 'POST', headers: { ...json, 'x-api-key': apiKey }, body: '{}' }],
    [`${urls.gateway}/inzage/v1/verwerkingen/a%0d%0a%5Bregistry%5D%20${FORGED}/bewijs`, {}],
    [`${urls.gateway}/inzage/v1/verwerkingen/a%0d%0a%5Bregistry%5D%20${FORGED}%1b%5b2K/bewijs`, { headers: bearer }],
    [`${urls.gateway}/inzage/v1/verwerkingen/${BSN}/bewijs`, {}],
    [`${urls.gateway}/inzage/v1/verwerkingen/${BSN}/bewijs`, { headers: bearer }],
  ];
  for (const [url, init] of requests) {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    expect(res.status, url).toBeGreaterThanOrEqual(400);
  }
  return requests.length;
}

describe('a request path cannot forge or fill lines of the operational log', () => {
  let system: RunningSystem;
  let apiKey: string;
  let gateway: EntryProcess | undefined;
  let outway: EntryProcess | undefined;
  let dir: string;

  beforeAll(async () => {
    system = await startSystem({ dataName: DATA_NAME });
    apiKey = readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim();
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-oplog-'));
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await outway?.stop();
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("in pnpm start's view: no extra line, no BSN, every line from a part under its name", async () => {
    const before = refusalCount(system.printed());
    const count = await attack(
      {
        outway: `http://127.0.0.1:${system.ports.outway}`,
        gateway: `http://127.0.0.1:${system.ports.gateway}`,
        idp: `http://127.0.0.1:${system.ports.idp}`,
      },
      apiKey,
    );
    await logged(system.printed, before, count);
    const printed = withoutColour(system.printed());
    const lines = printed.split('\n');
    // Whatever a part prints starts with its name: a line that starts with a forged one is not a part's.
    expect(
      lines.filter((line) => line.startsWith(`[gateway] ${FORGED}`) || line.startsWith(`[registry] ${FORGED}`)),
    ).toEqual([]);
    // The data folder's name is in the registry's lines, escaped: the view prints no control character.
    expect(printed).toContain('data\\n[gateway] MISLEAD\\u2028\\r\\u001b[2K');
    expect(lines.filter((line) => line.startsWith('[gateway] MISLEAD'))).toEqual([]);
    expect(printed.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    // The request paths are logged by their routes: none of their text, no BSN.
    expect(lines.filter((line) => line.includes(FORGED))).toEqual([]);
    expect(printed).not.toContain(BSN);
    expect(printed).toContain('[outway] refused POST /:serviceId/*: ');
    expect(printed).toContain('[gateway] refused GET /inzage/v1/verwerkingen/:id/bewijs: ');
    const parts = lines.filter((line) => line.startsWith('['));
    for (const line of parts) expect(PARTS).toContain(line.slice(1, line.indexOf(']')));
  }, 60_000);

  it('in the JSON lines of a gateway and an outway: one object per line, messages without control characters, no BSN', async () => {
    const gatewayPort = await freePort();
    const outwayPort = await freePort();
    const ownGateway = await startEntry('packages/gateway/src/server/main.ts', {
      ...gatewayInstanceEnv(system, { port: gatewayPort, database: join(dir, 'gateway.db'), instanceId: 'oplog' }),
    });
    const ownOutway = await startEntry('packages/gateway/src/server/outway-main.ts', {
      PORT: String(outwayPort),
      DATA_DIR: system.data,
      DATABASE_URL: `sqlite:${join(dir, 'outway.db')}`,
      REGISTRY_URL: `http://localhost:${system.ports.registry}`,
      ORGANISATION_OIN: DEMO_OIN.utrecht,
      ADMIN_TOKEN_FILE: join(dir, 'outway-admin-token'),
      DEMO_APPLICATION_KEY_FILE: join(dir, 'outway-api-key'),
    });
    gateway = ownGateway;
    outway = ownOutway;
    const key = readFileSync(join(dir, 'outway-api-key'), 'utf8').trim();
    const output = () => ownGateway.output() + ownOutway.output();
    const before = refusalCount(output());
    const count = await attack(
      {
        outway: `http://127.0.0.1:${outwayPort}`,
        gateway: `http://127.0.0.1:${gatewayPort}`,
        idp: `http://127.0.0.1:${system.ports.idp}`,
      },
      key,
    );
    await logged(output, before, count);
    for (const process of [ownGateway, ownOutway]) {
      const lines = process.output().split('\n').filter(Boolean);
      const entries = lines.map((line) => JSON.parse(line) as { msg: string; route?: string; path?: unknown });
      for (const entry of entries) {
        expect(entry.msg).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
        expect(entry.path).toBeUndefined();
      }
      const refusals = entries.filter((e) => e.msg.startsWith('refused '));
      expect(refusals.map((e) => e.route)).not.toContain(undefined);
    }
    expect(output()).not.toContain(FORGED);
    expect(output()).not.toContain(BSN);
  }, 90_000);
});
