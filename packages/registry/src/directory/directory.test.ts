import { DIRECTORY_TYP, DirectoryVerificationError, verifyDirectorySnapshot } from '@poortwachter/protocol';
import { trustDirectory } from '@poortwachter/protocol/contracts';
import { BRP_SERVICE_ID, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, importJWK } from 'jose';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { DIALECTS, describeDialect, grantByContract, startTestRegistry, type TestRegistry } from '../testing/index.ts';
import { createDirectoryPublisher } from './publisher.ts';

async function fetchDirectory(registry: TestRegistry, headers: Record<string, string> = {}) {
  return registry.app.request('/v1/directory', { headers });
}

for (const dialect of DIALECTS) {
  describeDialect(dialect, `signed directory (${dialect})`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect);
    });
    afterAll(async () => registry.close());

    it('serves a compact JWS as application/jose that verifies against the pinned key', async () => {
      const res = await fetchDirectory(registry);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/jose');
      const jws = await res.text();
      expect(jws.split('.')).toHaveLength(3);
      const snapshot = await verifyDirectorySnapshot(jws, registry.registryPublicKey);
      expect(snapshot.serial).toBeGreaterThan(0);
      expect(res.headers.get('etag')).toBe(`"${snapshot.serial}"`);
      expect(Date.parse(snapshot.issued_at)).toBeLessThanOrEqual(Date.now());
      expect(snapshot.organisations.map((o) => o.name)).toContain('Gemeente Utrecht');
      expect(snapshot.services.find((s) => s.id === 'brp-personen')?.fieldCatalogue.length).toBeGreaterThan(40);
      // No autorisatie of the registry's own: the seven demo ones are contracts, six published (one ended
      // a month ago), each accepted by both parties with keys the demo CA certified.
      expect(snapshot.autorisaties).toEqual([]);
      expect(snapshot.contracts).toHaveLength(6);
      expect(snapshot.contracts?.every((c) => c.signatures.length === 2)).toBe(true);
      const trusted = await trustDirectory(snapshot, registry.trustAnchors);
      expect(trusted.snapshot.autorisaties).toHaveLength(6);
      const header = decodeProtectedHeader(jws);
      expect(header.typ).toBe(DIRECTORY_TYP);
      expect(header.kid).toBe(registry.publisher.jwks.keys[0]?.kid);
    });

    it('states how often it re-signs an unchanged snapshot, and re-signs on that interval', async () => {
      const snapshot = await verifyDirectorySnapshot(
        await (await fetchDirectory(registry)).text(),
        registry.registryPublicKey,
      );
      expect(snapshot.resign_interval_seconds).toBe(60);
      const key = await generatePrivateJwk('P-256');
      const quick = await createDirectoryPublisher(registry.db, key, { resignAfterMs: 1000 });
      const first = await verifyDirectorySnapshot((await quick.current()).jws, publicJwkOf(key));
      expect(first.resign_interval_seconds).toBe(1);
      expect((await quick.current()).jws).toBe((await quick.current()).jws);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = await verifyDirectorySnapshot((await quick.current()).jws, publicJwkOf(key));
      expect(second.serial).toBe(first.serial);
      expect(Date.parse(second.issued_at)).toBeGreaterThanOrEqual(Date.parse(first.issued_at) + 1000);
    });

    it('verifies with plain jose and the served JWKS as well', async () => {
      const jwks = (await (await registry.app.request('/.well-known/jwks.json')).json()) as { keys: [] };
      const jws = await (await fetchDirectory(registry)).text();
      const { payload } = await compactVerify(jws, createLocalJWKSet(jwks));
      expect(JSON.parse(new TextDecoder().decode(payload)).serial).toBeGreaterThan(0);
      expect(JSON.stringify(jwks)).not.toContain('"d"');
    });

    it('answers 304 to If-None-Match with the current serial, 200 to an older one', async () => {
      const etag = (await fetchDirectory(registry)).headers.get('etag') ?? '';
      expect((await fetchDirectory(registry, { 'if-none-match': etag })).status).toBe(304);
      const serial = Number(etag.replaceAll('"', ''));
      expect((await fetchDirectory(registry, { 'if-none-match': `"${serial - 1}"` })).status).toBe(200);
    });

    it('raises the serial when a party signs a contract, and shows the contract', async () => {
      const before = await verifyDirectorySnapshot(
        await (await fetchDirectory(registry)).text(),
        registry.registryPublicKey,
      );
      const contract = await grantByContract(registry.app.request, registry.keyDir, {
        afnemerOin: DEMO_OIN.uwv,
        serviceId: BRP_SERVICE_ID,
        processingActivityId: DEMO_PROCESSING_ACTIVITY.uwvWw,
        fields: ['burgerservicenummer', 'geboorte.plaats'],
        searchTypes: ['RaadpleegMetBurgerservicenummer'],
      });
      const after = await verifyDirectorySnapshot(
        await (await fetchDirectory(registry)).text(),
        registry.registryPublicKey,
      );
      // A proposal and an accept: two changes.
      expect(after.serial).toBe(before.serial + 2);
      expect(
        after.contracts?.find((c) => c.hash === contract.hash)?.content.grants[0].data.properties.fields,
      ).toContain('geboorte.plaats');
      expect((await fetchDirectory(registry, { 'if-none-match': `"${before.serial}"` })).status).toBe(200);
    });

    // PostgreSQL only (registered there alone, so no skipped test): on SQLite kysely runs one connection, a
    // write waits until the read's transaction ends, so nothing can
    // come in between its statements (and this test's write would wait for ever on the read it is in).
    if (dialect === 'postgres')
      it('reads a snapshot as of one moment: a change committed while it reads is in neither its serial nor its records', async () => {
        const id = 'wet-tussendoor-art-1';
        let interfered = 0;
        // After the first statement of the snapshot's transaction (the second query: `current()` reads the
        // serial first, outside it), another connection commits a change.
        const interfering: KyselyPlugin = {
          transformQuery: (args) => args.node,
          async transformResult(args) {
            if (interfered++ === 1) {
              const res = await registry.admin('POST', '/v1/grondslagen', {
                id,
                title: 'Een grondslag die tijdens het lezen komt',
                lawName: 'Wet tussendoor',
                article: 'art. 1',
                bwbId: 'BWBR0033715',
                url: 'https://wetten.overheid.nl/jci1.3:c:BWBR0033715&artikel=1',
                avgBasis: 'e',
              });
              expect(res.status, await res.text()).toBe(201);
            }
            return args.result;
          },
        };
        const key = await generatePrivateJwk('P-256');
        const publisher = await createDirectoryPublisher(registry.db.withPlugin(interfering), key);
        const snapshot = await verifyDirectorySnapshot((await publisher.current()).jws, publicJwkOf(key));
        expect(interfered).toBeGreaterThan(2);
        expect(snapshot.grondslagen.map((g) => g.id)).not.toContain(id);
        expect(await registry.publisher.serial()).toBe(snapshot.serial + 1);
        const next = await verifyDirectorySnapshot(
          await (await fetchDirectory(registry)).text(),
          registry.registryPublicKey,
        );
        expect(next.grondslagen.map((g) => g.id)).toContain(id);
      });

    it('does not raise the serial on a refused change', async () => {
      const before = await registry.publisher.serial();
      const res = await registry.app.request('/v1/contracts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: { iv: '123' }, signature: 'a.b.c' }),
      });
      expect(res.status).toBe(400);
      expect(await registry.publisher.serial()).toBe(before);
    });
  });
}

describe('verifyDirectorySnapshot', () => {
  let registry: TestRegistry;
  let jws: string;
  beforeAll(async () => {
    registry = await startTestRegistry('sqlite');
    jws = await (await fetchDirectory(registry)).text();
  });
  afterAll(async () => registry.close());

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DirectoryVerificationError);
    return (error as DirectoryVerificationError).reason;
  };

  it('refuses a snapshot signed by a key that is not pinned', async () => {
    const other = publicJwkOf(await generatePrivateJwk('P-256'));
    expect(await refusal(verifyDirectorySnapshot(jws, other))).toBe('unknownKey');
  });

  it('refuses a snapshot whose payload was altered', async () => {
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const altered = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    altered.contracts[0].content.grants[0].data.properties.fields.push('kinderen.naam.voornamen');
    const forged = [header, Buffer.from(JSON.stringify(altered)).toString('base64url'), signature].join('.');
    expect(await refusal(verifyDirectorySnapshot(forged, registry.registryPublicKey))).toBe('signature');
  });

  it('refuses a snapshot signed with the pinned kid but by another key', async () => {
    const attacker = await generatePrivateJwk('P-256');
    const kid = registry.publisher.jwks.keys[0]?.kid ?? '';
    const payload = Buffer.from(jws.split('.')[1] ?? '', 'base64url');
    const forged = await new CompactSign(payload)
      .setProtectedHeader({ alg: 'ES256', kid, typ: DIRECTORY_TYP })
      .sign(await importJWK(attacker, 'ES256'));
    expect(await refusal(verifyDirectorySnapshot(forged, registry.registryPublicKey))).toBe('signature');
  });

  it('refuses an older serial than one already seen (rollback) and a too old snapshot', async () => {
    const { serial } = await verifyDirectorySnapshot(jws, registry.registryPublicKey);
    expect(await refusal(verifyDirectorySnapshot(jws, registry.registryPublicKey, { minSerial: serial + 1 }))).toBe(
      'rollback',
    );
    const later = new Date(Date.now() + 3_600_000);
    expect(
      await refusal(verifyDirectorySnapshot(jws, registry.registryPublicKey, { maxAgeSeconds: 60, now: later })),
    ).toBe('tooOld');
  });

  it('refuses garbage', async () => {
    expect(await refusal(verifyDirectorySnapshot('not-a-jws', registry.registryPublicKey))).toBe('malformed');
  });
});
