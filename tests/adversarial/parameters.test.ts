/**
 * Parameters from outside (issue 25, the tester's L3, L6 and L7), with raw HTTP against a gateway and an
 * outway started as server entries beside `pnpm start`, whose JSON log lines are read as written:
 * - a parameter or body member *name* is the caller's text: a BSN-like digit run or a control character
 *   in one never reaches a log line (an unknown parameter is logged by its code, `unknownParam`);
 * - a parameter given twice is a 400 naming it (never "the first one wins"), on the gateway's reads and
 *   on the auditor's page;
 * - every problem's title, detail and reasons match the BRP API spec's patterns as sent, and say what
 *   was meant: no example date without its `-`, no reason without its last word.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, loadBrpOpenApi } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntryProcess, gatewayInstanceEnv, querySuzanne, startEntry } from '../operations/server-entry.ts';
import { freePort, type RunningSystem, startSystem } from '../start-system.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

/** BSN-like names, in no seed: wherever one shows up in a log line, it came from a request. */
const NAMES = {
  consistency: '999990007\n\u001b[2J',
  citizen: '999990008',
  logboek: '999990015\r\n\u001b[31mFORGED',
  audit: '999990023\u2028',
  personen: '999990031\u001b]0;x\u0007',
  outway: '999990040\n{"level":60}',
} as const;

interface Problem {
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly invalidParams?: readonly { readonly name: string; readonly code: string; readonly reason: string }[];
}

/** The BRP API spec's own patterns for a problem's members, read from the spec (not from our writer). */
const SPEC = (() => {
  const schemas = loadBrpOpenApi().components.schemas as Record<
    string,
    { properties?: Record<string, { pattern?: string }> }
  >;
  const pattern = (schema: string, member: string) =>
    new RegExp(schemas[schema]?.properties?.[member]?.pattern ?? '^$');
  return {
    title: pattern('Foutbericht', 'title'),
    detail: pattern('Foutbericht', 'detail'),
    code: pattern('Foutbericht', 'code'),
    name: pattern('InvalidParam', 'name'),
    reason: pattern('InvalidParam', 'reason'),
  };
})();

/** A problem+json with `status`, every member in the spec's pattern; returned parsed. */
async function problemOf(res: Response, status: number, what: string): Promise<Problem> {
  const text = await res.text();
  expect(res.status, `${what}: ${text.slice(0, 400)}`).toBe(status);
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  expect(problem.title, what).toMatch(SPEC.title);
  expect(problem.detail, what).toMatch(SPEC.detail);
  expect(problem.code, what).toMatch(SPEC.code);
  for (const p of problem.invalidParams ?? []) {
    expect(p.name, what).toMatch(SPEC.name);
    expect(p.code, what).toMatch(SPEC.code);
    expect(p.reason, what).toMatch(SPEC.reason);
  }
  return problem;
}

const paramsOf = (problem: Problem) => (problem.invalidParams ?? []).map(({ name, code }) => ({ name, code }));

/** Every string in a parsed log line, wherever it sits. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : value && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, v]) => [key, ...stringsOf(v)])
      : [];

describe('parameters from outside: names stay out of the log, each given once, reasons that mean what they say', () => {
  let system: RunningSystem;
  let gateway: EntryProcess;
  let outway: EntryProcess;
  let gatewayUrl: string;
  let outwayUrl: string;
  let token: string;
  let dir: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
  const citizen = (path: string) => fetch(`${gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const signedPost = (path: string, oin: string, body: string) =>
    sendRaw(gatewayUrl, {
      method: 'POST',
      targetUri: `http://localhost:${system.ports.gateway}${path}`,
      key: key(oin),
      body,
    });

  beforeAll(async () => {
    system = await startSystem();
    dir = mkdtempSync(join(tmpdir(), 'poortwachter-params-'));
    const gatewayPort = await freePort();
    const outwayPort = await freePort();
    gateway = await startEntry(
      'packages/gateway/src/server/main.ts',
      gatewayInstanceEnv(system, { port: gatewayPort, database: join(dir, 'gateway.db'), instanceId: 'params' }),
    );
    outway = await startEntry('packages/gateway/src/server/outway-main.ts', {
      PORT: String(outwayPort),
      DATA_DIR: system.data,
      DATABASE_URL: `sqlite:${join(dir, 'outway.db')}`,
      REGISTRY_URL: `http://localhost:${system.ports.registry}`,
      ORGANISATION_OIN: DEMO_OIN.utrecht,
      ADMIN_TOKEN_FILE: join(dir, 'outway-admin-token'),
      DEMO_APPLICATION_KEY_FILE: join(dir, 'outway-api-key'),
    });
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    outwayUrl = `http://127.0.0.1:${outwayPort}`;
    const res = await fetch(`http://127.0.0.1:${system.ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: '999993653' }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
    // One access of Suzanne's at this gateway, so that she has a record to ask a proof of.
    const query = await querySuzanne(gatewayUrl, system.ports.gateway, key(DEMO_OIN.utrecht));
    expect(query.status, await query.text()).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    await outway?.stop();
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs a parameter or member name the caller chose by its code only: no BSN, no control character', async () => {
    const encoded = (name: string) => encodeURIComponent(name);
    const refusals = () => (gateway.output() + outway.output()).split('"event":"refusal"').length - 1;
    const before = refusals();
    const sent: [string, Response, string[]][] = [];
    const consistency = `/log/v1/vm/consistency?first=1&second=2&${encoded(NAMES.consistency)}=1`;
    sent.push([consistency, await fetch(`${gatewayUrl}${consistency}`), [NAMES.consistency]]);
    sent.push([
      'citizen ?999990008=1',
      await citizen(`/inzage/v1/verwerkingen?${encoded(NAMES.citizen)}=1&bsn=999993653`),
      [NAMES.citizen, 'bsn'],
    ]);
    sent.push([
      'Logboek member',
      await signedPost(
        '/processing-activities',
        DEMO_OIN.utrecht,
        JSON.stringify({ startTime: '2026-11-01', [NAMES.logboek]: 1 }),
      ),
      [NAMES.logboek],
    ]);
    sent.push([
      'audit member',
      await signedPost(
        '/audit/v1/coverage',
        DEMO_OIN.autoriteitPersoonsgegevens,
        JSON.stringify({ from: '2026-11-01', to: '2026-11-30', [NAMES.audit]: 1 }),
      ),
      [NAMES.audit],
    ]);
    const personen = {
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: ['999993653'],
      fields: ['naam.voornamen'],
    };
    sent.push([
      'personen member',
      await sendRaw(gatewayUrl, {
        method: 'POST',
        targetUri: `http://localhost:${system.ports.gateway}/personen`,
        key: key(DEMO_OIN.utrecht),
        processingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
        body: JSON.stringify({ ...personen, [NAMES.personen]: 'x' }),
      }),
      [NAMES.personen],
    ]);
    const apiKey = readFileSync(join(dir, 'outway-api-key'), 'utf8').trim();
    sent.push([
      'outway member',
      await fetch(`${outwayUrl}/brp-personen/personen`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ ...personen, [NAMES.outway]: 'x' }),
      }),
      [NAMES.outway],
    ]);
    for (const [what, res, names] of sent) {
      const problem = await problemOf(res, 400, what);
      // The caller still sees its own names (as far as the spec's pattern allows), under unknownParam.
      for (const name of names) {
        expect(problem.invalidParams, what).toContainEqual(
          expect.objectContaining({ code: 'unknownParam', name: name.replace(/[^a-zA-Z0-9._]/g, '') }),
        );
      }
    }
    // One refusal line each; the outway passes the provider's refusal of its forwarded query through (the
    // system's gateway logs that one, in pnpm start's view).
    const expected = before + sent.length - 1;
    const deadline = Date.now() + 15_000;
    while (refusals() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(refusals()).toBeGreaterThanOrEqual(expected);
    expect(system.printed()).not.toMatch(/9999900\d\d/);

    for (const process of [gateway, outway]) {
      const output = process.output();
      expect(output).not.toMatch(/9999900\d\d/);
      expect(output).not.toContain('FORGED');
      for (const line of output.split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        for (const text of stringsOf(entry)) expect(text, line).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
        // Control characters escaped in JSON are there all the same.
        expect(line, line).not.toMatch(/\\u00(?:0|1)[0-9a-f]|\\u007f|\\u202[89]|\\[nrt]/i);
      }
    }
    const logged = gateway
      .output()
      .split('\n')
      .filter((l) => l.includes('"event":"refusal"'))
      .map((l) => (JSON.parse(l) as { invalid_params?: string[] }).invalid_params ?? []);
    // The known parameter next to the unknown one is named; the unknown ones by their code.
    expect(logged).toContainEqual(['unknownParam', 'unknownParam']);
    expect(logged.flat()).not.toContain('bsn');
  }, 60_000);

  it('refuses a parameter given twice, naming it, wherever the first value would have been taken', async () => {
    const twice = async (res: Response, name: string, what: string) =>
      expect(paramsOf(await problemOf(res, 400, what)), what).toEqual([{ name, code: 'repeated' }]);
    await twice(await citizen('/inzage/v1/verwerkingen?van=2026-12-01&van=2026-02-30'), 'van', 'van twice');
    await twice(await citizen('/inzage/v1/verwerkingen?tot=2026-12-01&tot=2026-02-30'), 'tot', 'tot twice');
    await twice(await citizen('/inzage/v1/verwerkingen?limit=1&limit=100'), 'limit', 'limit twice');
    await twice(await citizen('/inzage/v1/verwerkingen/x/bewijs?size=18&size=1'), 'size', 'size twice');
    await twice(await fetch(`${gatewayUrl}/log/v1/vm/consistency?first=1&first=2&second=2`), 'first', 'first twice');
    // The auditor's page and its exports.
    const page = `http://127.0.0.1:${system.ports.auditor}`;
    for (const path of ['/coverage.json', '/coverage.csv']) {
      const res = await fetch(`${page}${path}?from=2026-11-01&from=2026-02-30&to=2026-11-30`);
      const text = await res.text();
      expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(400);
      expect((JSON.parse(text) as Problem).invalidParams?.map((p) => p.name)).toEqual(['from']);
    }
    const html = await fetch(`${page}/?from=2026-11-01&to=2026-11-30&to=2026-02-30`);
    expect(html.status).toBe(400);
    expect(await html.text()).toMatch(/id="to"[^>]*aria-invalid="true"/);
  }, 60_000);

  it('says in every reason what it means, in the spec pattern as written: dates, sizes, ranges', async () => {
    const reasons = async (res: Response, status: number, what: string) =>
      (await problemOf(res, status, what)).invalidParams?.map(({ name, code, reason }) => ({ name, code, reason }));
    expect(await reasons(await citizen('/inzage/v1/verwerkingen?van=2026-02-30'), 400, 'van=2026-02-30')).toEqual([
      { name: 'van', code: 'date', reason: 'Geef een datum die bestaat, of een datum en tijd met tijdzone.' },
    ]);
    const detail = (await problemOf(await citizen('/inzage/v1/verwerkingen?van=2026-02-30'), 400, 'detail')).detail;
    expect(detail).toContain('2026-11-23');
    expect(
      await reasons(await citizen('/inzage/v1/verwerkingen?van=2026-12-01&tot=2026-11-01'), 400, 'reversed'),
    ).toEqual([{ name: 'tot', code: 'range', reason: 'tot ligt niet na van.' }]);

    // Suzanne's record at this gateway, and its proof once a head holds it.
    const timeline = (await (await citizen('/inzage/v1/verwerkingen')).json()) as { verwerkingen: { id: string }[] };
    const id = timeline.verwerkingen[0]?.id;
    expect(id, JSON.stringify(timeline).slice(0, 300)).toBeDefined();
    const proofOf = async () => {
      for (let i = 0; i < 50; i++) {
        const res = await citizen(`/inzage/v1/verwerkingen/${id}/bewijs`);
        if (res.status !== 503) return res;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('no signed head holds the record');
    };
    const proof = await proofOf();
    expect(proof.status).toBe(200);
    const { head, leaf_index } = (await proof.json()) as { head: { tree_size: number }; leaf_index: number };
    const bewijs = (size: string) => citizen(`/inzage/v1/verwerkingen/${id}/bewijs?size=${size}`);
    for (const size of ['-1', '0', 'x']) {
      expect(await reasons(await bewijs(size), 400, `size=${size}`)).toEqual([
        { name: 'size', code: 'integer', reason: 'Geef een geheel getal van 1 of meer.' },
      ]);
    }
    if (leaf_index > 0) {
      expect(await reasons(await bewijs(String(leaf_index)), 400, 'size too small')).toEqual([
        { name: 'size', code: 'minimum', reason: `Kies een size groter dan ${leaf_index}, of laat size weg.` },
      ]);
    }
    const never = await problemOf(await bewijs(String(head.tree_size + 1_000_000)), 404, 'a size never signed');
    expect(never.invalidParams).toEqual([
      expect.objectContaining({
        name: 'size',
        code: 'notFound',
        reason: 'Kies de grootte van een ondertekende boomkop, of laat size weg.',
      }),
    ]);
    expect(never.detail).toContain(`De nieuwste heeft grootte ${head.tree_size}.`);
  }, 60_000);
});
