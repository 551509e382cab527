/**
 * A citizen reads their own data (issue 29 §1), from outside: `GET /inzage/v1/gegevens` on RvIG's BRP
 * inway and Kadaster's BRK inway of `pnpm start`, with tokens of its development identity provider, in
 * raw HTTP. The answer is signed by the bronhouder, holds only the citizen's own data, is logged under the
 * bronhouder's "inzage door de betrokkene" and shows in their timeline as their own look. Then, on an
 * inway in-process behind a source that answers about someone else: nothing leaves; bad tokens and a
 * flood from one token are refused.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createBrpSourceApp } from '@poortwachter/example-brp-source';
import { callerQuotas, type GatewayDatabase } from '@poortwachter/gateway';
import { specProblemErrors, startTestGateway, type TestGateway } from '@poortwachter/gateway/testing';
import { READ_RESPONSE_COMPONENTS, verifyContentDigest, verifyMessage } from '@poortwachter/protocol';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY, loadPersonen } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-process.ts';
import { type RunningSystem, startSystem } from '../start-system.ts';

const SUZANNE = '999993653';
/** Owns his home with Marianne de Jong, half each. */
const LANCE = '999990858';
const MARIANNE = '999990949';
/** Has geheimhouding of his personal data (geheimhoudingPersoonsgegevens). */
const PETER_JAN = '999993872';
/** Suzanne's home in the BRK. */
const HOME = '30000000000001';

interface Problem {
  status: number;
  code: string;
  detail: string;
}

interface Personen {
  type: string;
  personen: Record<string, unknown>[];
}

interface Timeline {
  verwerkingen: { transactieId: string; zelf?: true; organisatie: { oin: string }; verwerking: string }[];
}

const problemOf = async (res: Response, status: number) => {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const problem = JSON.parse(text) as Problem;
  expect(specProblemErrors(problem)).toEqual([]);
  return problem;
};

/** The body of a 200, after checking its digest and the bronhouder's signature over status, digest and transaction id. */
async function signedBody(res: Response, bronhouderKey: JWK): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  await verifyContentDigest(res.headers.get('content-digest'), text);
  const { d: _d, ...publicKey } = bronhouderKey;
  const verified = await verifyMessage(
    { status: res.status, header: (name) => res.headers.get(name) },
    {
      requiredComponents: READ_RESPONSE_COMPONENTS,
      requireExpiresAndNonce: false,
      publicKeyFor: (kid) => (kid === publicKey.kid ? publicKey : undefined),
      now: Math.floor(Date.now() / 1000),
    },
  );
  expect(verified.params.keyid).toBe(publicKey.kid);
  return text;
}

const tokenDigest = (token: string) => `sha-256=:${createHash('sha256').update(token).digest('base64')}:`;

describe('a citizen reads their own data at the BRP and the BRK (pnpm start, raw HTTP)', () => {
  let system: RunningSystem;
  let brp: string;
  let brk: string;
  const key = (oin: string) => JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as JWK;
  const tokenFor = async (bsn: string) => {
    const res = await fetch(`http://127.0.0.1:${system.ports.idp}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bsn }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const gegevens = (origin: string, token?: string) =>
    fetch(`${origin}/inzage/v1/gegevens`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const timeline = async (origin: string, token: string) => {
    const res = await fetch(`${origin}/inzage/v1/verwerkingen?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Timeline;
  };
  /** The access records of one transaction in an inway's database. */
  const recordsOf = async (database: string, transactionId: string) => {
    const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(system.data, database)}`);
    try {
      const rows = await db
        .selectFrom('access_log')
        .select(['record'])
        .where('transaction_id', '=', transactionId)
        .execute();
      return rows.map((r) => (JSON.parse(r.record) as { attributes: Record<string, unknown> }).attributes);
    } finally {
      await close();
    }
  };

  beforeAll(async () => {
    system = await startSystem();
    brp = `http://127.0.0.1:${system.ports.gateway}`;
    brk = `http://127.0.0.1:${system.ports.brkGateway}`;
  }, 200_000);
  afterAll(async () => {
    await system?.stop();
  });

  it("gives Suzanne her BRP data, signed by RvIG, logged under RvIG's inzage door de betrokkene, shown as her own look", async () => {
    const token = await tokenFor(SUZANNE);
    const res = await gegevens(brp, token);
    const body = JSON.parse(await signedBody(res, key(DEMO_OIN.rvig))) as Personen;
    expect(body.type).toBe('RaadpleegMetBurgerservicenummer');
    expect(body.personen).toHaveLength(1);
    const [suzanne] = body.personen;
    expect(suzanne).toMatchObject({
      burgerservicenummer: SUZANNE,
      naam: expect.objectContaining({ voornamen: 'Suzanne' }),
      verblijfplaats: expect.objectContaining({ verblijfadres: expect.any(Object) }),
    });

    const transactionId = res.headers.get('fsc-transaction-id') ?? '';
    const records = await recordsOf('gateway.db', transactionId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.rvigInzage,
      'dpl.core.foreign_operation.processor': DEMO_OIN.rvig,
      'poortwachter.search_type': 'RaadpleegMetBurgerservicenummer',
      'poortwachter.request_digest': tokenDigest(token),
      'poortwachter.response_digest': res.headers.get('content-digest'),
    });
    expect(records[0]?.['poortwachter.released_fields']).toEqual(
      expect.arrayContaining(['naam.voornamen', 'verblijfplaats.verblijfadres.officieleStraatnaam']),
    );
    expect(JSON.stringify(records)).not.toContain(SUZANNE);

    const entry = (await timeline(brp, token)).verwerkingen.find((v) => v.transactieId === transactionId);
    expect(entry).toMatchObject({ zelf: true, organisatie: { oin: DEMO_OIN.rvig } });
    // An afnemer's access is not her own look.
    const others = (await timeline(brp, token)).verwerkingen.filter((v) => v.transactieId !== transactionId);
    expect(others.every((v) => v.zelf === undefined)).toBe(true);
  });

  it('gives Suzanne her home in the BRK, signed by Kadaster, and nothing of its owners', async () => {
    const token = await tokenFor(SUZANNE);
    const res = await gegevens(brk, token);
    const text = await signedBody(res, key(DEMO_OIN.kadaster));
    const body = JSON.parse(text) as { _embedded: { kadastraalOnroerendeZaken: Record<string, unknown>[] } };
    const zaken = body._embedded.kadastraalOnroerendeZaken;
    expect(zaken.map((z) => z.identificatie)).toContain(HOME);
    expect(zaken.find((z) => z.identificatie === HOME)).toMatchObject({ adressen: expect.any(Array) });
    // No owner is embedded (not even herself): the parcels, as the citizen's own data.
    expect(zaken.every((z) => z._embedded === undefined)).toBe(true);

    const transactionId = res.headers.get('fsc-transaction-id') ?? '';
    const records = await recordsOf('brk-gateway.db', transactionId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      'dpl.core.processing_activity_id': DEMO_PROCESSING_ACTIVITY.kadasterInzage,
      'dpl.core.foreign_operation.processor': DEMO_OIN.kadaster,
      'dpl.core.data_subject_id_type': 'BSN',
      'poortwachter.request_digest': tokenDigest(token),
    });
    const entry = (await timeline(brk, token)).verwerkingen.find((v) => v.transactieId === transactionId);
    expect(entry).toMatchObject({ zelf: true, organisatie: { oin: DEMO_OIN.kadaster } });
  });

  it("gives another citizen only their own data: Suzanne's never, nor her timeline a record of it", async () => {
    const suzanne = await tokenFor(SUZANNE);
    const before = (await timeline(brp, suzanne)).verwerkingen.length;
    const lance = await tokenFor(LANCE);
    const brpText = await signedBody(await gegevens(brp, lance), key(DEMO_OIN.rvig));
    const personen = (JSON.parse(brpText) as Personen).personen;
    expect(personen.map((p) => p.burgerservicenummer)).toEqual([LANCE]);
    expect(brpText).not.toContain(SUZANNE);
    // His wife, parents and children are other persons: nothing of them, though the BRP holds them on his record.
    expect(personen[0]).toMatchObject({ naam: expect.objectContaining({ voornamen: 'Lance' }) });
    for (const other of ['partners', 'ouders', 'kinderen', MARIANNE, 'Marianne']) expect(brpText).not.toContain(other);
    const brkText = await signedBody(await gegevens(brk, lance), key(DEMO_OIN.kadaster));
    expect(brkText).not.toContain(HOME);
    // His home, owned with Marianne de Jong: the parcel, nothing of her.
    expect(brkText).toContain('Utrecht');
    expect(brkText).not.toContain(MARIANNE);
    expect(brkText).not.toContain('Jong');
    expect((await timeline(brp, suzanne)).verwerkingen).toHaveLength(before);
  });

  it('gives a citizen with geheimhouding their own data: it is a rule for others', async () => {
    const res = await gegevens(brp, await tokenFor(PETER_JAN));
    const personen = (JSON.parse(await signedBody(res, key(DEMO_OIN.rvig))) as Personen).personen;
    expect(personen).toHaveLength(1);
    expect(personen[0]).toMatchObject({
      burgerservicenummer: PETER_JAN,
      geheimhoudingPersoonsgegevens: true,
      naam: expect.objectContaining({ geslachtsnaam: expect.any(String) }),
    });
  });

  it('poortwachter inzage says "U heeft zelf uw gegevens bekeken" for her own looks', async () => {
    await gegevens(brp, await tokenFor(SUZANNE));
    const run = await runCli(['inzage', '--bsn', SUZANNE], {
      env: {
        DATA_DIR: system.data,
        REGISTRY_URL: `http://localhost:${system.ports.registry}`,
        IDP_URL: `http://127.0.0.1:${system.ports.idp}`,
      },
    });
    expect(run.code, run.output).toBe(0);
    expect(run.out).toContain('U heeft zelf uw gegevens bekeken');
  }, 60_000);

  it('refuses a read without a token (401)', async () => {
    const problem = await problemOf(await gegevens(brp), 401);
    expect(problem.code).toBe('authentication');
  });
});

const UTRECHT_WMO = DEMO_PROCESSING_ACTIVITY.utrechtWmo;
const UTRECHT_QUERY = {
  type: 'RaadpleegMetBurgerservicenummer',
  burgerservicenummer: [SUZANNE],
  fields: ['naam.voornamen'],
};

/** The example BRP source behind a switch: `other` answers about Lance whoever is asked for, `extra` about Lance too. */
function switchableSource() {
  const source = createBrpSourceApp({ personen: loadPersonen() });
  let mode: 'honest' | 'other' | 'extra' = 'honest';
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const query = JSON.parse(String(init?.body)) as { burgerservicenummer: string[] };
    if (mode === 'other') query.burgerservicenummer = [LANCE];
    if (mode === 'extra') query.burgerservicenummer = [...query.burgerservicenummer, LANCE];
    return source.request(String(input), { ...init, body: JSON.stringify(query) });
  };
  return { fetch, answer: (m: typeof mode) => (mode = m) };
}

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('own data at an inway whose source answers about someone else, bad tokens, a flood (raw HTTP)', () => {
  let gw: TestGateway;
  let origin: string;
  let stop: () => void;
  const source = switchableSource();
  const read = (token?: string) =>
    fetch(`${origin}/inzage/v1/gegevens`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    gw = await startTestGateway('sqlite', {
      source: { fetch: source.fetch },
      quotas: callerQuotas({ citizens: { requestsPerSecond: 0.001, burst: 4 } }),
    });
    ({ origin, close: stop } = await listen(gw.app.fetch));
  });
  afterAll(async () => {
    stop();
    await gw.close();
  });

  it('shows her own look as hers (zelf); releases nothing when the source answers about another, or her and another: 500, refusal logged', async () => {
    const token = await gw.citizenToken({ sub: SUZANNE });
    source.answer('honest');
    const honest = await read(token);
    expect(honest.status, await honest.clone().text()).toBe(200);
    // Her own look, in her timeline as such (and the afnemer's query before it not).
    expect((await gw.send(DEMO_OIN.utrecht, UTRECHT_QUERY, { processingActivity: UTRECHT_WMO })).status).toBe(200);
    const timeline = await fetch(`${origin}/inzage/v1/verwerkingen`, { headers: { authorization: `Bearer ${token}` } });
    const entries = ((await timeline.json()) as Timeline).verwerkingen;
    expect(entries.map((v) => [v.transactieId, v.zelf ?? false])).toEqual([
      [expect.any(String), false],
      [honest.headers.get('fsc-transaction-id'), true],
    ]);
    const logged = (await gw.accessRecords()).length;
    for (const mode of ['other', 'extra'] as const) {
      source.answer(mode);
      const res = await read(token);
      const text = await res.clone().text();
      const problem = await problemOf(res, 500);
      expect(problem.code).toBe('serverError');
      expect(text).not.toContain(LANCE);
      expect(text).not.toContain('Smit');
    }
    source.answer('honest');
    expect(await gw.accessRecords()).toHaveLength(logged);
    const refusals = await gw.refusals();
    expect(refusals.filter((r) => r.reason === 'internal').reduce((n, r) => n + r.count, 0)).toBe(2);
  });

  it('refuses a missing, an expired and a forged token with 401', async () => {
    const citizen = await gw.citizenToken({ sub: '999990639' });
    expect((await read(citizen)).status).toBe(200);
    // A key the identity provider does not have, under its own name.
    const forged = {
      ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK),
      kid: 'dev-idp',
    };
    for (const [token, reason] of [
      [undefined, 'ERROR_CODE_ACCESS_TOKEN_MISSING'],
      [
        await gw.citizenToken({ sub: '999990639', exp: Math.floor(Date.now() / 1000) - 120 }),
        'ERROR_CODE_ACCESS_TOKEN_EXPIRED',
      ],
      [await gw.citizenToken({ sub: '999990639' }, forged), 'ERROR_CODE_ACCESS_TOKEN_INVALID'],
    ] as const) {
      const res = await read(token);
      expect(res.headers.get('fsc-error-code')).toBe(reason);
      await problemOf(res, 401);
    }
  });

  it("refuses a flood from one token with 429 (the citizen's quota), and serves another citizen", async () => {
    const token = await gw.citizenToken({ sub: '999991723' });
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await read(token)).status);
    expect(seen).toEqual([200, 200, 200, 200, 429, 429]);
    const flood = await read(token);
    expect(flood.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await problemOf(flood, 429)).code).toBe('tooManyRequests');
    expect((await read(await gw.citizenToken({ sub: '999992740' }))).status).toBe(200);
  });
});
