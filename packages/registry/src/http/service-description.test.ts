import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyDirectorySnapshot } from '@poortwachter/protocol';
import { contentHash, newContractContent, signContract } from '@poortwachter/protocol/contracts';
import { BRK_SERVICE_ID, brkService, DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIALECTS,
  describeDialect,
  findContractHash,
  grantByContract,
  startTestRegistry,
  type TestRegistry,
} from '../testing/index.ts';

interface Problem {
  status: number;
  invalidParams?: { name: string; code: string; reason: string }[];
}

/** Kadaster's BRK service as a bronhouder sends it, under a fresh id; `change` edits a copy. */
function brk(change: (service: ReturnType<typeof mutable>) => void = () => {}) {
  const service = mutable();
  change(service);
  return service;
}
const mutable = () => {
  const { id: _id, ...service } = brkService('https://brk.gateway.test');
  // biome-ignore lint/suspicious/noExplicitAny: a test edits the description freely, as a bronhouder could
  return { id: 'brk-proef', ...(JSON.parse(JSON.stringify(service)) as any) };
};

/** Issue 26: a service's description, checked against itself, its catalogue and its OpenAPI document. */
for (const dialect of DIALECTS) {
  describeDialect(dialect, `service descriptions (${dialect})`, () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect, { brkGatewayUrl: 'https://brk.gateway.test' });
    });
    afterAll(async () => registry.close());

    /** POSTs a service and returns the member names of its refusal (400). */
    async function refused(service: unknown): Promise<string[]> {
      const res = await registry.admin('POST', '/v1/services', service);
      const body = (await res.json()) as Problem;
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      return [...new Set((body.invalidParams ?? []).map((p) => p.name))];
    }

    it("publishes Kadaster's seeded BRK service with its description, and serves its spec", async () => {
      const service = (await (await registry.app.request(`/v1/services/${BRK_SERVICE_ID}`)).json()) as {
        providerOin: string;
        protocol: string;
        description?: { operations: { id: string }[] };
      };
      expect(service.providerOin).toBe(DEMO_OIN.kadaster);
      expect(service.protocol).toBe('haal-centraal-hal');
      expect(service.description?.operations.map((o) => o.id)).toContain('ZoekKadastraalOnroerendeZakenMetBsn');
      const spec = await registry.app.request(`/v1/services/${BRK_SERVICE_ID}/openapi`);
      expect(spec.status).toBe(200);
      expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.0.0');
      expect((await registry.app.request('/v1/services/brp-personen/openapi')).status).toBe(404);

      const jws = await (await registry.app.request('/v1/directory')).text();
      const snapshot = await verifyDirectorySnapshot(jws, registry.registryPublicKey);
      const published = snapshot.services.find((s) => s.id === BRK_SERVICE_ID);
      expect(published?.description?.resources.zakelijkGerechtigde?.subjects?.[0]?.typePath).toBe(
        'zakelijkGerechtigde.persoon.type',
      );
      expect(snapshot.services.find((s) => s.id === 'brp-personen')?.description).toBeUndefined();
      // The document is not in the snapshot: gateways need the description, not the spec.
      expect(jws.length).toBeLessThan(200_000);
    });

    it('accepts the BRK service with its spec, and an update that leaves the spec out keeps it', async () => {
      const created = await registry.admin('POST', '/v1/services', { ...brk(), id: 'brk-aanvaard' });
      expect(created.status, await created.clone().text()).toBe(201);
      const {
        id: _id,
        openApi: _spec,
        ...update
      } = brk((s) => {
        s.name = 'BRK bevragen (proef)';
      });
      const updated = await registry.admin('PUT', '/v1/services/brk-aanvaard', update);
      expect(updated.status, await updated.clone().text()).toBe(200);
      expect(((await updated.json()) as { name: string }).name).toBe('BRK bevragen (proef)');
      expect((await registry.app.request('/v1/services/brk-aanvaard/openapi')).status).toBe(200);
      // History says which document was checked, without holding it.
      const changes = (await (
        await registry.app.request('/v1/changes?entity=service&entityId=brk-aanvaard')
      ).json()) as {
        record: Record<string, unknown>;
      }[];
      expect(changes).toHaveLength(2);
      for (const change of changes) {
        expect(change.record.openApi).toBeUndefined();
        expect(change.record.openApiSha256).toMatch(/^[0-9a-f]{64}$/);
        expect(change.record.description).toBeDefined();
      }
    });

    it('refuses an operation the spec does not have', async () => {
      const names = await refused(
        brk((s) => {
          s.description.operations.push({
            id: 'GetPercelen',
            method: 'GET',
            path: '/percelen',
            resource: 'kadastraalOnroerendeZaak',
            parameters: [],
          });
        }),
      );
      expect(names).toEqual(['description.operations[9].id']);
    });

    it('refuses an operation with another method than the spec gives it', async () => {
      expect(
        await refused(
          brk((s) => {
            s.description.operations[2].method = 'POST';
          }),
        ),
      ).toEqual(['description.operations[2].method']);
    });

    it('refuses a path template naming a parameter the operation does not declare', async () => {
      const names = await refused(
        brk((s) => {
          s.description.operations[3].path = `${s.description.operations[3].path}/{onbekend}`;
        }),
      );
      expect(names).toEqual(['description.operations[3].path']);
    });

    it('refuses a parameter the spec does not have at that place', async () => {
      const names = await refused(
        brk((s) => {
          // A query parameter the spec does not know, and a known one declared in the wrong place.
          s.description.operations[0].parameters.push({
            name: 'gemeente',
            in: 'query',
            selects: ['kadastraalOnroerendeZaak.adressen.woonplaats'],
          });
          s.description.operations[1].parameters[0].in = 'query';
        }),
      );
      expect(names).toEqual([
        'description.operations[0].parameters[7].name',
        'description.operations[1].parameters[0].name',
      ]);
    });

    it('refuses a catalogue path that is not in the answer of its resource in the spec', async () => {
      const names = await refused(
        brk((s) => {
          s.fieldCatalogue.push({
            path: 'hypotheek.koopsom',
            label: 'koopsom',
            group: 'hypotheek',
            avgCategory: 'persoonsgegeven',
            bioLevel: 'BBN2',
          });
        }),
      );
      expect(names).toEqual([`fieldCatalogue[${brk().fieldCatalogue.length}].path`]);
    });

    it('refuses what a parameter selects on, a link reveals or a subject names when it is not in the catalogue', async () => {
      const names = await refused(
        brk((s) => {
          s.description.operations[0].parameters[1].selects[0] = 'kadastraalOnroerendeZaak.adressen.onbekend';
          s.description.resources.hypotheek.links[0].reveals[0] = 'hypotheek.onbekend';
          s.description.resources.zakelijkGerechtigde.subjects[0].typePath = 'zakelijkGerechtigde.persoon.soort';
        }),
      );
      expect(names).toEqual([
        'description.operations[0].parameters[1].selects[0]',
        'description.resources.zakelijkGerechtigde.subjects[0].typePath',
        'description.resources.hypotheek.links[0].reveals[0]',
      ]);
    });

    it('refuses subjectsFrom naming an operation with other path parameters', async () => {
      expect(
        await refused(
          brk((s) => {
            s.description.operations[5].subjectsFrom = 'GetKadastraalOnroerendeZaken';
          }),
        ),
      ).toEqual(['description.operations[5].subjectsFrom']);
    });

    it('refuses duplicate operation ids, unknown resources and patterns that do not compile', async () => {
      const names = await refused(
        brk((s) => {
          s.description.operations[8].id = 'GetKadasterPersoon';
          s.description.operations[4].resource = 'perceel';
          s.description.operations[0].parameters[2].pattern = '^[0-9';
        }),
      );
      expect(names).toContain('description.operations[8].id');
      expect(names).toContain('description.operations[4].resource');
      expect(names).toContain('description.operations[0].parameters[2].pattern');
    });

    it('refuses a haal-centraal-hal service without a description, and a description without its spec', async () => {
      expect(
        await refused(
          brk((s) => {
            delete s.description;
          }),
        ),
      ).toEqual(['description']);
      expect(
        await refused(
          brk((s) => {
            delete s.openApi;
          }),
        ),
      ).toEqual(['openApi']);
    });

    it("offers the betrokkene only under the bronhouder's own activities and an operation that finds them by BSN", async () => {
      expect(
        await refused(
          brk((s) => {
            s.betrokkene.inzageActivityId = DEMO_PROCESSING_ACTIVITY.utrechtOzb;
            s.betrokkene.terugmeldingActivityId = 'https://example.test/onbekend';
            s.betrokkene.operation = 'GetKadastraalOnroerendeZaak';
          }),
        ),
      ).toEqual(['betrokkene.inzageActivityId', 'betrokkene.terugmeldingActivityId', 'betrokkene.operation']);
      expect(
        await refused(
          brk((s) => {
            s.betrokkene.extra = true;
          }),
        ),
      ).toEqual(['betrokkene.extra']);
      const published = (await (await registry.app.request(`/v1/services/${BRK_SERVICE_ID}`)).json()) as {
        betrokkene?: unknown;
      };
      expect(published.betrokkene).toEqual(brkService('').betrokkene);
    });

    it('holds the description to the rule for texts: no control characters', async () => {
      const names = await refused(
        brk((s) => {
          s.description.operations[0].parameters[0].name = 'kadastrale\u001bAanduiding';
        }),
      );
      expect(names.some((n) => n.startsWith('description.operations[0].parameters[0].name'))).toBe(true);
    });

    describe('contracts on a haal-centraal-hal service', () => {
      const terms = {
        afnemerOin: DEMO_OIN.haarlem,
        serviceId: BRK_SERVICE_ID,
        processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemVermogen,
        fields: ['kadastraalOnroerendeZaak.identificatie', 'zakelijkGerechtigde.persoon.identificatie'],
        searchTypes: ['GetKadastraalOnroerendeZaak'],
      };

      it('name operations of its description, not the search types of another protocol', async () => {
        await grantByContract(registry.app.request, registry.keyDir, terms);
        const content = newContractContent({
          ...terms,
          bronhouderOin: DEMO_OIN.kadaster,
          processingActivityVersion: 1,
          grondslagId: 'participatiewet-art-34',
          searchTypes: ['GetStuk', 'RaadpleegMetBurgerservicenummer'],
          fields: ['kadastraalOnroerendeZaak.identificatie', 'naam.geslachtsnaam'],
          validFrom: new Date(),
          validTo: new Date(Date.now() + 86_400_000),
          groupId: 'poortwachter-demo',
        });
        const key = JSON.parse(readFileSync(join(registry.keyDir, `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as JWK;
        const res = await registry.app.request('/v1/contracts', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content, signature: await signContract(contentHash(content), 'accept', key) }),
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as Problem).invalidParams?.map((p) => p.name)).toEqual([
          'content.grants.0.data.properties.fields.1',
          'content.grants.0.data.properties.search_types.0',
          'content.grants.0.data.properties.search_types.1',
        ]);
      });

      it('keep what they use: a description that drops a used operation or path is refused', async () => {
        const { id: _id, openApi: _spec, ...seeded } = brk();
        const withoutSearch = {
          ...seeded,
          providerOin: DEMO_OIN.kadaster,
          description: {
            ...seeded.description,
            operations: seeded.description.operations.filter(
              (o: { id: string }) => o.id !== 'GetKadastraalOnroerendeZaken',
            ),
          },
        };
        const res = await registry.admin('PUT', `/v1/services/${BRK_SERVICE_ID}`, withoutSearch);
        expect(res.status, await res.clone().text()).toBe(409);
        const problem = (await res.json()) as Problem;
        expect(problem.invalidParams?.map((p) => p.name)).toEqual(['description.operations']);
        const ozb = await findContractHash(registry.app.request, {
          afnemerOin: DEMO_OIN.utrecht,
          serviceId: BRK_SERVICE_ID,
          processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtOzb,
        });
        expect(problem.invalidParams?.[0]?.reason).toContain(ozb);

        const withoutKoopsom = {
          ...seeded,
          fieldCatalogue: seeded.fieldCatalogue.filter(
            (f: { path: string }) => f.path !== 'kadastraalOnroerendeZaak.koopsom.koopsom',
          ),
        };
        const refusedPath = await registry.admin('PUT', `/v1/services/${BRK_SERVICE_ID}`, withoutKoopsom);
        expect(refusedPath.status).toBe(409);
        expect(((await refusedPath.json()) as Problem).invalidParams?.map((p) => p.name)).toEqual(['fieldCatalogue']);
      });
    });
  });
}

describe('service descriptions: the schema', () => {
  it('limits every text and list of a description', async () => {
    const { REQUEST_SCHEMAS } = await import('./schemas.ts');
    const unlimited: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'string' && schema.maxLength === undefined) unlimited.push(at);
      if (schema.type === 'array' && schema.maxItems === undefined) unlimited.push(at);
      for (const [key, value] of Object.entries(schema)) walk(value, `${at}.${key}`);
    };
    walk(REQUEST_SCHEMAS['service-create'].properties.description, 'description');
    expect(unlimited).toEqual([]);
  });
});
