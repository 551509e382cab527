import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { certifiedKey, DIALECTS, describeDialect, startTestRegistry, type TestRegistry } from '../testing/index.ts';

interface Problem {
  code: string;
  invalidParams?: { name: string; code: string }[];
}

/** An organisation's privacy contact and web origins (issue 14): checked, kept, published. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `organisation privacy contact and web origins (${dialect})`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect);
    });
    afterAll(async () => registry.close());

    const base = { name: 'Gemeente Testdorp', kind: 'gemeente', roles: ['afnemer'] };
    const contact = {
      name: 'Functionaris gegevensbescherming',
      email: 'fg@testdorp.example',
      url: 'https://testdorp.example/privacy',
    };
    const invalid = async (body: Record<string, unknown>, field: string) => {
      const res = await registry.admin('POST', '/v1/organisations', { oin: '00000001000000000077', ...base, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as Problem;
      expect(problem.invalidParams?.map((p) => p.name)).toContain(field);
    };

    it('refuses origins that are not origins, and contacts that reach no one, naming the field', async () => {
      await invalid({ webOrigins: ['https://mijn.example.nl/'] }, 'webOrigins[0]');
      await invalid({ webOrigins: ['https://ok.example', 'http://mijn.example.nl'] }, 'webOrigins[1]');
      await invalid({ webOrigins: ['*'] }, 'webOrigins[0]');
      await invalid({ webOrigins: ['https://mijn.example.nl/pad'] }, 'webOrigins[0]');
      await invalid({ privacyContact: { name: 'FG' } }, 'privacyContact');
      await invalid({ privacyContact: { name: 'FG', url: 'http://testdorp.example' } }, 'privacyContact.url');
      await invalid({ privacyContact: { name: 'FG', email: 'not an address' } }, 'privacyContact.email');
      await invalid({ privacyContact: { name: 'FG', email: 'a@b.nl', extra: 1 } }, 'privacyContact.extra');
      // Nothing was stored by any of these.
      expect((await registry.app.request('/v1/organisations/00000001000000000077')).status).toBe(404);
    });

    it('keeps both on an update that leaves them out, clears the contact with null, and publishes them', async () => {
      const oin = '00000001000000000078';
      const { privateKey, key } = await certifiedKey(registry.keyDir, { oin, name: base.name });
      const created = await registry.admin('POST', '/v1/organisations', {
        oin,
        ...base,
        keys: [key],
        privacyContact: contact,
        webOrigins: ['https://mijn.testdorp.example', 'http://localhost:8305', 'https://mijn.testdorp.example'],
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({
        privacyContact: contact,
        webOrigins: ['https://mijn.testdorp.example', 'http://localhost:8305'],
      });
      // The organisation changes its own record, signing with its key.
      const renamed = await registry.asOrganisation(
        oin,
        'PUT',
        `/v1/organisations/${oin}`,
        { ...base, name: 'Gemeente Testdorp-Oost' },
        privateKey,
      );
      expect(renamed.status, await renamed.clone().text()).toBe(200);
      expect(await renamed.json()).toMatchObject({ name: 'Gemeente Testdorp-Oost', privacyContact: contact });
      const snapshot = await verifyDirectorySnapshot(
        await (await registry.app.request('/v1/directory')).text(),
        registry.registryPublicKey,
      );
      expect(snapshot.organisations.find((o) => o.oin === oin)).toMatchObject({
        privacyContact: contact,
        webOrigins: ['https://mijn.testdorp.example', 'http://localhost:8305'],
      });
      const cleared = await registry.asOrganisation(
        oin,
        'PUT',
        `/v1/organisations/${oin}`,
        { ...base, privacyContact: null, webOrigins: [] },
        privateKey,
      );
      expect(await cleared.json()).toMatchObject({ privacyContact: null, webOrigins: [] });
      // The change log holds each state.
      const changes = await (await registry.app.request('/v1/changes?entity=organisation')).text();
      expect(changes).toContain('fg@testdorp.example');
    });

    it('seeds the demo organisations with a privacy contact', async () => {
      const utrecht = (await (await registry.app.request(`/v1/organisations/${DEMO_OIN.utrecht}`)).json()) as {
        privacyContact: { email: string } | null;
      };
      expect(utrecht.privacyContact?.email).toBe('privacy@utrecht.example');
    });
  });
}
