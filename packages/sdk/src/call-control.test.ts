import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DirectorySnapshot, Organisation, Service } from '@poortwachter/protocol';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryHistory } from './audit/registry-history.ts';
import { createAuditorClient } from './auditor-client.ts';
import { DEFAULT_TIMEOUT_MS } from './call-control.ts';
import { createCitizenClient } from './citizen-client.ts';
import { fetchDirectory } from './directory-client.ts';
import { generateSigningKey } from './keys.ts';
import { memoryHeadStore } from './merkle/head-store.ts';
import { createOrganisationClient } from './organisation-client.ts';
import { isSdkError } from './sdk-error.ts';

const KADASTER = '00000001234567890002';
const UTRECHT = '00000001000000344000';
const OZB = 'https://www.utrecht.nl/verwerkingsactiviteiten/heffing-ozb';

// A registry, gateway and outway in one that takes every request and never answers.
let server: Server;
let base: string;
let privateKey: JWK;
let registryKey: JWK;
let directory: DirectorySnapshot;

beforeAll(async () => {
  server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const [kadaster, registry] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  privateKey = kadaster.privateKey;
  registryKey = registry.publicKey;
  directory = {
    serial: 1,
    organisations: [
      {
        oin: KADASTER,
        name: 'Kadaster',
        roles: ['bronhouder', 'auditor'],
        keys: [{ kid: kadaster.publicKey.kid, jwk: kadaster.publicKey, status: 'active' }],
        revokedAt: null,
      } as unknown as Organisation,
    ],
    services: [
      {
        id: 'brp-personen',
        providerOin: KADASTER,
        gatewayUrl: `${base}/inway`,
        // It offers the betrokkene their own data and terugmeldingen: the citizen's calls ask it.
        betrokkene: {
          inzageActivityId: 'inzage',
          operation: 'RaadpleegMetBurgerservicenummer',
          terugmeldingActivityId: 'terugmelding',
        },
        revokedAt: null,
      } as unknown as Service,
    ],
    processing_activities: [],
    autorisaties: [],
    grondslagen: [],
  } as unknown as DirectorySnapshot;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** How a call settled, and after how many milliseconds. */
async function settle(call: () => Promise<unknown>): Promise<{ ms: number; value?: unknown; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await call();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

/** `readLog: http://127.0.0.1:…/… did not answer within 200 ms.` */
const timeoutText = (call: string, ms: number) =>
  new RegExp(`^${call.replace(/[.()"]/g, '\\$&')}: ${base}/\\S* did not answer within ${ms} ms\\.$`);
const timedOut = (error: unknown, call: string, ms: number) =>
  isSdkError(error) && error.code === 'timeout' && timeoutText(call, ms).test(error.message);

const clients = (control: { timeoutMs?: number } = {}) => ({
  organisation: createOrganisationClient({ oin: UTRECHT, privateKey, directory, ...control }),
  citizen: createCitizenClient({ token: 'token', directory, ...control }),
  auditor: createAuditorClient({
    oin: KADASTER,
    privateKey,
    directory,
    history: registryHistory({ registryUrl: base }),
    ...control,
  }),
  fresh: createCitizenClient({ token: 'token', registryUrl: base, registryKey, ...control }),
});

/**
 * Every asynchronous method of every client, with arguments that reach the network. The test below
 * finds the methods by reflection and fails on one this table lacks, so a new method is covered or
 * the test says which one is not.
 */
const CALLS: Record<string, (c: ReturnType<typeof clients>, control: object) => Promise<unknown>> = {
  'organisation.directory': (_c, control) =>
    createOrganisationClient({ oin: UTRECHT, privateKey, registryUrl: base, registryKey }).directory(control),
  'organisation.readLog': (c, control) => c.organisation.readLog({ traceId: 'x' }, control),
  'organisation.reconcile': (c, control) =>
    c.organisation.reconcile({ outwayUrl: base, from: '2026-12-01', to: '2026-12-02', ...control }),
  'organisation.personen.raadpleeg': (c, control) =>
    c.organisation.personen.raadpleeg({
      burgerservicenummer: '999993653',
      fields: ['naam'],
      processingActivity: OZB,
      ...control,
    }),
  'organisation.personen.zoekMetGeslachtsnaamEnGeboortedatum': (c, control) =>
    c.organisation.personen.zoekMetGeslachtsnaamEnGeboortedatum({
      geslachtsnaam: 'Moulin',
      geboortedatum: '1985-12-01',
      fields: ['naam'],
      processingActivity: OZB,
      ...control,
    }),
  'organisation.personen.zoekMetPostcodeEnHuisnummer': (c, control) =>
    c.organisation.personen.zoekMetPostcodeEnHuisnummer({
      postcode: '3077AW',
      huisnummer: 31,
      fields: ['naam'],
      processingActivity: OZB,
      ...control,
    }),
  'organisation.personen.query': (c, control) =>
    c.organisation.personen.query(
      'RaadpleegMetBurgerservicenummer',
      {},
      { fields: ['naam'], processingActivity: OZB, ...control },
    ),
  'organisation.service.get': (c, control) =>
    c.organisation.service('brp-personen').get('/personen', { processingActivity: OZB, ...control }),
  'organisation.service.post': (c, control) =>
    c.organisation.service('brp-personen').post('/personen', {}, { processingActivity: OZB, ...control }),
  'citizen.directory': (c, control) => c.fresh.directory(control),
  'citizen.accessLog': (c, control) => c.citizen.accessLog({ ...control }),
  'citizen.gegevens': (c, control) => c.citizen.gegevens(control),
  'citizen.terugmeldingen': (c, control) => c.citizen.terugmeldingen(control),
  'citizen.terugmelden': (c, control) =>
    c.citizen.terugmelden(
      'brp-personen',
      {
        terugMeldingBody: {
          objectIdentificatie: [
            { objectType: 'persoon', attribuutUrn: 'urn:brp-personen:burgerservicenummer', idWaarde: '999993653' },
          ],
          terugMeldingGegevens: [
            {
              attribuutUrn: 'urn:brp-personen:naam.geslachtsnaam',
              betwijfeldeWaarde: 'Moulin',
              voorgesteldeWaarde: 'Molin',
            },
          ],
        },
      },
      control,
    ),
  'citizen.intrekken': (c, control) =>
    c.citizen.intrekken('brp-personen', '01936f2e-0000-7000-8000-000000000000', control),
  'auditor.directory': (_c, control) =>
    createAuditorClient({ oin: KADASTER, privateKey, registryUrl: base, registryKey }).directory(control),
  'auditor.verifyLogs': (c, control) => c.auditor.verifyLogs({ heads: memoryHeadStore(), ...control }),
  'auditor.coverage': (c, control) => c.auditor.coverage({ from: '2026-11-01', to: '2026-12-01', ...control }),
  fetchDirectory: (_c, control) => fetchDirectory({ registryUrl: base, registryKey, ...control }),
  'registryHistory.changes': (_c, control) => registryHistory({ registryUrl: base }).changes(control),
};

/** The names of the functions of an object, deep (`personen.raadpleeg`), and those of `service(id)`. */
function methodsOf(value: object, prefix: string): string[] {
  return Object.entries(value).flatMap(([name, member]) => {
    if (name === 'service' && typeof member === 'function') {
      return methodsOf(member('brp-personen') as object, `${prefix}service.`);
    }
    if (typeof member === 'function') return [`${prefix}${name}`];
    return member && typeof member === 'object' ? methodsOf(member, `${prefix}${name}.`) : [];
  });
}

describe('a timeout and an AbortSignal on every client call', () => {
  it('covers every method of every client (found by reflection) in the table of calls', () => {
    const c = clients();
    const found = [
      ...methodsOf(c.organisation, 'organisation.'),
      ...methodsOf(c.citizen, 'citizen.'),
      ...methodsOf(c.auditor, 'auditor.'),
      'fetchDirectory',
      'registryHistory.changes',
    ];
    expect(found.sort()).toEqual(Object.keys(CALLS).sort());
  });

  it('rejects every call at once, with the reason, when its signal is aborted already', async () => {
    const reason = new Error('de gebruiker ging weg');
    const results = await Promise.all(
      Object.entries(CALLS).map(
        async ([name, call]) =>
          [name, await settle(() => call(clients(), { signal: AbortSignal.abort(reason) }))] as const,
      ),
    );
    for (const [name, result] of results) {
      expect({ name, error: result.error }).toEqual({ name, error: reason });
      expect(result.ms, name).toBeLessThan(500);
    }
  });

  it('stops every call when its signal is aborted while a server keeps it waiting', async () => {
    const results = await Promise.all(
      Object.entries(CALLS).map(async ([name, call]) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error(`stop ${name}`)), 100);
        return [name, await settle(() => call(clients(), { signal: controller.signal, timeoutMs: 60_000 }))] as const;
      }),
    );
    for (const [name, result] of results) {
      expect({ name, error: (result.error as Error | undefined)?.message }).toEqual({ name, error: `stop ${name}` });
      expect(result.ms, name).toBeLessThan(1500);
    }
  });

  it('ends every call whose server never answers after the timeout, naming the call, the URL and the limit', async () => {
    const results = await Promise.all(
      Object.entries(CALLS).map(
        async ([name, call]) => [name, await settle(() => call(clients(), { timeoutMs: 200 }))] as const,
      ),
    );
    for (const [name, result] of results) {
      expect(result.ms, name).toBeGreaterThanOrEqual(190);
      expect(result.ms, name).toBeLessThan(3000);
      // A call that asks several gateways reports the silent one as missing, with the same words.
      const missing = (result.value as { missing?: { reason: string }[] } | undefined)?.missing?.[0]?.reason;
      const callName = name
        .replace(/^(organisation|citizen|auditor)\./, '')
        .replace(/^service\.(get|post)$/, 'service("brp-personen").$1');
      const said = isSdkError(result.error) && result.error.code === 'timeout' ? result.error.message : missing;
      expect({ name, said }).toEqual({ name, said: expect.stringMatching(timeoutText(callName, 200)) });
    }
  });

  it("takes the client's timeoutMs as the default of its calls, and 30 s when neither says", async () => {
    const result = await settle(() =>
      clients({ timeoutMs: 150 }).organisation.personen.raadpleeg({
        burgerservicenummer: '999993653',
        fields: ['naam'],
        processingActivity: OZB,
      }),
    );
    expect(timedOut(result.error, 'personen.raadpleeg', 150)).toBe(true);
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
  });

  it('refuses a timeout that is no positive number of milliseconds, naming it', async () => {
    const result = await settle(() => fetchDirectory({ registryUrl: base, registryKey, timeoutMs: 0 }));
    expect(isSdkError(result.error) && result.error.code).toBe('configuration');
    expect((result.error as Error).message).toMatch(/timeoutMs must be a number of milliseconds above 0/);
  });
});
