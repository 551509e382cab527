import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ContractTerms, contentHash, newContractContent, signContract } from '@poortwachter/protocol/contracts';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk, publicJwkOf } from '../server/key-files.ts';
import { certifiedKey, DIALECTS, describeDialect, startTestRegistry, type TestRegistry } from '../testing/index.ts';

interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  invalidParams?: { name: string; code: string; reason: string }[];
}

async function problem(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Problem;
}
const names = (p: Problem) => (p.invalidParams ?? []).map((i) => i.name);

const newOrganisation = (oin: string, extra: Record<string, unknown> = {}) => ({
  oin,
  name: 'Gemeente Testdorp',
  kind: 'gemeente',
  roles: ['afnemer'],
  ...extra,
});

/** Haarlem's consistent terms: its bijstand activity's first version and grondslag, on RvIG's BRP. */
const baseTerms: ContractTerms = {
  afnemerOin: DEMO_OIN.haarlem,
  serviceId: 'brp-personen',
  bronhouderOin: DEMO_OIN.rvig,
  processingActivityId: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
  processingActivityVersion: 1,
  grondslagId: 'participatiewet-art-7',
  fields: ['burgerservicenummer', 'naam.geslachtsnaam'],
  searchTypes: ['RaadpleegMetBurgerservicenummer'],
  validFrom: new Date(Date.now() - 60_000),
  validTo: new Date(Date.now() + 365 * 86_400_000),
  groupId: 'poortwachter-demo',
};

for (const dialect of DIALECTS) {
  describeDialect(dialect, `registry admin API (${dialect})`, () => {
    let registry: TestRegistry;
    /** The key of the organisation the tests onboard (00000001000000000002), with which it signs its own changes. */
    let testdorpKey: JWK;
    beforeAll(async () => {
      registry = await startTestRegistry(dialect);
    });
    afterAll(async () => registry.close());

    describe('authentication', () => {
      it('lets anyone read, but refuses changes without the admin token', async () => {
        expect((await registry.app.request('/v1/organisations')).status).toBe(200);
        const res = await registry.app.request('/v1/organisations', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(newOrganisation('00000001000000000001')),
        });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect((await problem(res)).code).toBe('authentication');
      });

      it('refuses a wrong token', async () => {
        const res = await registry.app.request('/v1/organisations', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.adminToken}x` },
          body: JSON.stringify(newOrganisation('00000001000000000001')),
        });
        expect(res.status).toBe(401);
        const count = await registry.db
          .selectFrom('organisations')
          .select('oin')
          .where('oin', '=', '00000001000000000001')
          .execute();
        expect(count).toHaveLength(0);
      });

      it('never stores the admin token itself', async () => {
        const rows = await registry.db.selectFrom('admin_tokens').selectAll().execute();
        expect(JSON.stringify(rows)).not.toContain(registry.adminToken);
      });
    });

    describe('organisations and keys', () => {
      it('refuses an OIN that is not exactly 20 digits, naming oin', async () => {
        for (const oin of ['0000000100000000001', '000000010000000000012', '0000000100000000000a']) {
          const res = await registry.admin('POST', '/v1/organisations', newOrganisation(oin));
          expect(res.status).toBe(400);
          const p = await problem(res);
          expect(p.code).toBe('paramsValidation');
          expect(names(p)).toEqual(['oin']);
        }
      });

      it('refuses an OIN in the path that is not 20 digits', async () => {
        const p = await problem(await registry.app.request('/v1/organisations/123'));
        expect(p.status).toBe(400);
        expect(names(p)).toEqual(['oin']);
      });

      it('creates an organisation with an Ed25519 key whose kid is the RFC 7638 thumbprint', async () => {
        const { privateKey: key, key: certified } = await certifiedKey(registry.keyDir, {
          oin: '00000001000000000002',
          name: 'Gemeente Testdorp',
        });
        testdorpKey = key;
        const res = await registry.admin(
          'POST',
          '/v1/organisations',
          newOrganisation('00000001000000000002', { keys: [certified] }),
        );
        expect(res.status).toBe(201);
        expect(res.headers.get('location')).toBe('/v1/organisations/00000001000000000002');
        const body = (await res.json()) as { keys: { kid: string; status: string; jwk: Record<string, string> }[] };
        expect(body.keys[0]?.kid).toBe(key.kid);
        expect(body.keys[0]?.status).toBe('active');
        expect(body.keys[0]?.jwk.d).toBeUndefined();
      });

      it('refuses a private key with a clear error naming the private member', async () => {
        const key = await generatePrivateJwk('P-256');
        const res = await registry.admin(
          'POST',
          '/v1/organisations',
          newOrganisation('00000001000000000003', { keys: [{ jwk: key }] }),
        );
        expect(res.status).toBe(400);
        const p = await problem(res);
        expect(names(p)).toEqual(['keys[0].jwk.d']);
        expect(p.invalidParams?.[0]?.reason).toMatch(/private key/i);
        const stored = await registry.db
          .selectFrom('organisations')
          .select('oin')
          .where('oin', '=', '00000001000000000003')
          .execute();
        expect(stored).toHaveLength(0);
      });

      it('refuses a private key on the key endpoint too, and RSA keys, and garbage points', async () => {
        const oin = '00000001000000000002';
        const priv = await generatePrivateJwk('Ed25519');
        let p = await problem(
          await registry.asOrganisation(oin, 'POST', `/v1/organisations/${oin}/keys`, { jwk: priv }, testdorpKey),
        );
        expect(names(p)).toEqual(['jwk.d']);

        const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
        p = await problem(
          await registry.asOrganisation(oin, 'POST', `/v1/organisations/${oin}/keys`, { jwk: rsa }, testdorpKey),
        );
        expect(p.status).toBe(400);
        expect(names(p)).toContain('jwk.kty');

        const garbage = { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' };
        p = await problem(
          await registry.asOrganisation(oin, 'POST', `/v1/organisations/${oin}/keys`, { jwk: garbage }, testdorpKey),
        );
        expect(names(p)).toEqual(['jwk.x']);

        const pub = publicJwkOf(await generatePrivateJwk('Ed25519'));
        p = await problem(
          await registry.asOrganisation(
            oin,
            'POST',
            `/v1/organisations/${oin}/keys`,
            { jwk: { ...pub, kid: 'my-own-kid' } },
            testdorpKey,
          ),
        );
        expect(names(p)).toEqual(['jwk.kid']);
      });

      it('revokes a key with its revocation time, visible to everyone', async () => {
        const oin = '00000001000000000002';
        const { key } = await certifiedKey(registry.keyDir, { oin, name: 'Gemeente Testdorp' }, 'P-256');
        const added = (await (
          await registry.asOrganisation(oin, 'POST', `/v1/organisations/${oin}/keys`, key, testdorpKey)
        ).json()) as {
          kid: string;
        };
        const res = await registry.asOrganisation(
          oin,
          'POST',
          `/v1/organisations/${oin}/keys/${added.kid}/revoke`,
          {},
          testdorpKey,
        );
        expect(res.status).toBe(200);
        const organisation = (await (await registry.app.request(`/v1/organisations/${oin}`)).json()) as {
          keys: { kid: string; status: string; revokedAt: string | null }[];
        };
        const revoked = organisation.keys.find((k) => k.kid === added.kid);
        expect(revoked?.status).toBe('revoked');
        expect(revoked?.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(
          (
            await registry.asOrganisation(
              oin,
              'POST',
              `/v1/organisations/${oin}/keys/${added.kid}/revoke`,
              {},
              testdorpKey,
            )
          ).status,
        ).toBe(409);
      });

      it('refuses a second organisation with the same OIN', async () => {
        const res = await registry.admin('POST', '/v1/organisations', newOrganisation(DEMO_OIN.utrecht));
        expect(res.status).toBe(409);
        expect(names(await problem(res))).toEqual(['oin']);
      });
    });

    describe('contracts: integrity (as autorisaties had)', () => {
      /** Haarlem's proposal of `terms` (its accept signed with its demo key), as the registry answers it. */
      const propose = async (terms: Partial<ContractTerms> = {}) => {
        const content = newContractContent({ ...baseTerms, ...terms });
        const key = JSON.parse(readFileSync(join(registry.keyDir, `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as JWK;
        const signature = await signContract(contentHash(content), 'accept', key);
        return registry.app.request('/v1/contracts', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content, signature }),
        });
      };
      const at = (member: string) => `content.grants.0.data.${member}`;

      it('refuses a field path that is not in the service catalogue, naming each one', async () => {
        const res = await propose({
          fields: ['burgerservicenummer', 'naam.bijnaam', 'geboorte.datum', 'verblijfplaats.verblijfadres.kleur'],
        });
        expect(res.status).toBe(400);
        const p = await problem(res);
        expect(names(p)).toEqual([at('properties.fields.1'), at('properties.fields.3')]);
        expect(p.invalidParams?.[0]?.reason).toContain('naam.bijnaam');
      });

      it('refuses a processing activity of another afnemer', async () => {
        const p = await problem(
          await propose({ processingActivityId: DEMO_PROCESSING_ACTIVITY.utrechtWmo, grondslagId: 'wet-brp-art-3.3' }),
        );
        expect(p.status).toBe(400);
        expect(p.invalidParams).toEqual([
          expect.objectContaining({ name: at('properties.processing_activity_id'), code: 'foreignProcessingActivity' }),
        ]);
      });

      it('refuses an unknown processing activity, afnemer, service, grondslag and search type', async () => {
        const p = await problem(
          await propose({
            afnemerOin: '00000001999999999999',
            serviceId: 'brp-kadaster',
            processingActivityId: 'https://www.haarlem.nl/verwerkingsactiviteiten/bestaat-niet',
          }),
        );
        expect(p.status).toBe(400);
        expect(names(p).sort()).toEqual(
          [at('outway.peer_id'), at('properties.processing_activity_version'), at('service.name')].sort(),
        );
        expect(names(await problem(await propose({ searchTypes: ['ZoekMetKenteken'] })))).toEqual([
          at('properties.search_types.0'),
        ]);
        expect(names(await problem(await propose({ grondslagId: 'wet-op-de-maan' })))).toEqual([
          at('properties.grondslag_id'),
        ]);
        expect(names(await problem(await propose({ processingActivityVersion: 9 })))).toEqual([
          at('properties.processing_activity_version'),
        ]);
      });

      it('refuses an organisation that is not an afnemer as afnemer, and a service of another bronhouder', async () => {
        const p = await problem(await propose({ afnemerOin: DEMO_OIN.rvig }));
        expect(p.invalidParams).toContainEqual(
          expect.objectContaining({ name: at('outway.peer_id'), code: 'missingRole' }),
        );
        const q = await problem(await propose({ bronhouderOin: DEMO_OIN.kadaster }));
        expect(q.invalidParams).toEqual([
          expect.objectContaining({ name: at('service.peer_id'), code: 'notTheBronhouder' }),
        ]);
      });

      it('refuses a validity that ends before it starts', async () => {
        const p = await problem(
          await propose({ validFrom: new Date('2026-06-01T00:00:00Z'), validTo: new Date('2026-01-01T00:00:00Z') }),
        );
        expect(names(p)).toEqual(['content.validity.not_after']);
      });

      it('accepts a consistent proposal, stores it, and a party can revoke it', async () => {
        const res = await propose();
        expect(res.status).toBe(201);
        const { hash } = (await res.json()) as { hash: string };
        const stored = (await (await registry.app.request(`/v1/contracts/${encodeURIComponent(hash)}`)).json()) as {
          content: { grants: [{ data: { properties: { fields: string[] } } }] };
        };
        expect(stored.content.grants[0].data.properties.fields).toEqual(baseTerms.fields);
        const key = JSON.parse(readFileSync(join(registry.keyDir, `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as JWK;
        const revoked = await registry.app.request(`/v1/contracts/${encodeURIComponent(hash)}/signatures`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signature: await signContract(hash, 'revoke', key) }),
        });
        expect(((await revoked.json()) as { state: string }).state).toBe('revoked');
      });

      it('refuses a catalogue change that drops a path a contract uses', async () => {
        const service = (await (await registry.app.request('/v1/services/brp-personen')).json()) as Record<
          string,
          unknown
        > & {
          fieldCatalogue: { path: string }[];
          searchParameters: { name: string; selects: string[] }[];
        };
        const { id: _id, revokedAt: _r, ...input } = service;
        const res = await registry.admin('PUT', '/v1/services/brp-personen', {
          ...input,
          fieldCatalogue: service.fieldCatalogue.filter((f) => f.path !== 'naam.geslachtsnaam'),
          searchParameters: service.searchParameters.filter((p) => !p.selects.includes('naam.geslachtsnaam')),
        });
        expect(res.status).toBe(409);
        expect((await problem(res)).invalidParams?.[0]?.reason).toContain('naam.geslachtsnaam');
      });

      it('refuses search parameters that select on no releasable field, and a contract for an automatic field', async () => {
        const service = (await (await registry.app.request('/v1/services/brp-personen')).json()) as Record<
          string,
          unknown
        > & { searchParameters: { name: string; selects: string[] }[] };
        const { id: _id, revokedAt: _r, ...input } = service;
        const p = await problem(
          await registry.admin('PUT', '/v1/services/brp-personen', {
            ...input,
            searchParameters: [
              ...service.searchParameters,
              { name: 'geslacht', selects: ['geslacht'] },
              { name: 'geheim', selects: ['geheimhoudingPersoonsgegevens'] },
            ],
          }),
        );
        expect(p.status).toBe(400);
        expect(names(p)).toEqual([
          `searchParameters[${service.searchParameters.length}].name`,
          `searchParameters[${service.searchParameters.length + 1}].selects[0]`,
        ]);
        const q = await problem(await propose({ fields: ['burgerservicenummer', 'geheimhoudingPersoonsgegevens'] }));
        expect(q.invalidParams).toMatchObject([{ name: at('properties.fields.1'), code: 'automaticField' }]);
      });
    });

    describe('verwerkingsactiviteiten: versions', () => {
      const id = 'https://www.haarlem.nl/verwerkingsactiviteiten/leerlingenvervoer';
      const path = `/v1/processing-activities/${encodeURIComponent(id)}`;
      const v1 = {
        id,
        name: 'Leerlingenvervoer',
        doel: 'Vervoer naar school regelen voor kinderen die dat nodig hebben.',
        grondslagIds: ['wet-brp-art-3.3'],
        responsibleOin: DEMO_OIN.haarlem,
        bewaartermijn: 'P2Y',
        vertrouwelijkheid: 'normaal',
        validFrom: '2025-01-01T00:00:00.000Z',
      };

      it('refuses an unknown grondslag and a malformed bewaartermijn, naming them', async () => {
        const p = await problem(
          await registry.asOrganisation(DEMO_OIN.haarlem, 'POST', '/v1/processing-activities', {
            ...v1,
            grondslagIds: ['wet-brp-art-3.3', 'wet-op-de-maan'],
          }),
        );
        expect(names(p)).toEqual(['grondslagIds[1]']);
        const q = await problem(
          await registry.asOrganisation(DEMO_OIN.haarlem, 'POST', '/v1/processing-activities', {
            ...v1,
            bewaartermijn: '20 jaar',
          }),
        );
        expect(names(q)).toEqual(['bewaartermijn']);
      });

      it('makes a change a new version, and keeps the old one readable by date', async () => {
        expect((await registry.asOrganisation(DEMO_OIN.haarlem, 'POST', '/v1/processing-activities', v1)).status).toBe(
          201,
        );
        const { id: _id, ...change } = { ...v1, bewaartermijn: 'P5Y', validFrom: '2026-01-01T00:00:00.000Z' };
        const res = await registry.asOrganisation(DEMO_OIN.haarlem, 'PUT', path, change);
        expect(res.status).toBe(200);
        const activity = (await res.json()) as { versions: { version: number; bewaartermijn: string }[] };
        expect(activity.versions.map((v) => [v.version, v.bewaartermijn])).toEqual([
          [1, 'P2Y'],
          [2, 'P5Y'],
        ]);
        const inForce2025 = (await (await registry.app.request(`${path}?at=2025-07-01`)).json()) as { version: number };
        expect(inForce2025.version).toBe(1);
        const inForce2026 = (await (await registry.app.request(`${path}?at=2026-07-01T12:00:00Z`)).json()) as {
          version: number;
        };
        expect(inForce2026.version).toBe(2);
        expect((await registry.app.request(`${path}?at=2024-01-01`)).status).toBe(400);
        // A day that does not exist is not read as 2 March (which would find version 2).
        const impossible = await problem(await registry.app.request(`${path}?at=2026-02-30`));
        expect([impossible.status, impossible.invalidParams?.[0]?.name]).toEqual([400, 'at']);
      });

      it('refuses a version that starts before the one it replaces', async () => {
        const { id: _id, ...change } = { ...v1, validFrom: '2025-06-01T00:00:00.000Z' };
        const p = await problem(await registry.asOrganisation(DEMO_OIN.haarlem, 'PUT', path, change));
        expect(names(p)).toEqual(['validFrom']);
      });

      it('keeps stored versions untouched when lifting confidentiality', async () => {
        const before = await registry.db
          .selectFrom('processing_activity_versions')
          .selectAll()
          .where('id', '=', DEMO_PROCESSING_ACTIVITY.denBoschFraude)
          .execute();
        const current = (await (
          await registry.app.request(
            `/v1/processing-activities/${encodeURIComponent(DEMO_PROCESSING_ACTIVITY.denBoschFraude)}`,
          )
        ).json()) as { versions: Record<string, unknown>[] };
        const {
          id: _i,
          version: _v,
          revokedAt: _r,
          recordedAt: _a,
          validFrom: _f,
          ...last
        } = current.versions.at(-1) ?? {};
        const res = await registry.asOrganisation(
          DEMO_OIN.sHertogenbosch,
          'PUT',
          `/v1/processing-activities/${encodeURIComponent(DEMO_PROCESSING_ACTIVITY.denBoschFraude)}`,
          {
            ...last,
            vertrouwelijkheid: 'opgeheven',
          },
        );
        expect(res.status).toBe(200);
        const after = await registry.db
          .selectFrom('processing_activity_versions')
          .selectAll()
          .where('id', '=', DEMO_PROCESSING_ACTIVITY.denBoschFraude)
          .orderBy('version')
          .execute();
        expect(after.slice(0, before.length)).toEqual(before);
        expect(after.at(-1)?.vertrouwelijkheid).toBe('opgeheven');
      });
    });

    describe('bad input', () => {
      it('names every missing required field', async () => {
        const p = await problem(await registry.admin('POST', '/v1/grondslagen', { id: 'x-1', title: 'Iets' }));
        expect(names(p).sort()).toEqual(['article', 'avgBasis', 'bwbId', 'lawName', 'url']);
      });

      it('refuses unknown fields', async () => {
        const p = await problem(
          await registry.admin('POST', '/v1/organisations', newOrganisation('00000001000000000009', { colour: 'red' })),
        );
        expect(names(p)).toEqual(['colour']);
      });

      it('refuses a body that is not JSON (400 naming body) or not declared JSON (415)', async () => {
        const headers = { authorization: `Bearer ${registry.adminToken}` };
        const notJson = await registry.app.request('/v1/organisations', {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{"oin": ',
        });
        expect(notJson.status).toBe(400);
        expect(names(await problem(notJson))).toEqual(['body']);
        const form = await registry.app.request('/v1/organisations', {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/plain' },
          body: 'oin=1',
        });
        expect(form.status).toBe(415);
        expect((await problem(form)).code).toBe('unsupportedMediaType');
      });

      it('refuses an oversized body with 413', async () => {
        const res = await registry.app.request('/v1/organisations', {
          method: 'POST',
          headers: { authorization: `Bearer ${registry.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
        });
        expect(res.status).toBe(413);
        expect((await problem(res)).code).toBe('payloadTooLarge');
      });

      it('answers an unknown record and an unknown route with 404 problem+json', async () => {
        expect((await problem(await registry.app.request('/v1/autorisaties/bestaat-niet'))).code).toBe('notFound');
        expect((await problem(await registry.app.request('/v1/contracts/bestaat-niet'))).code).toBe('notFound');
        expect((await problem(await registry.app.request('/v2/nothing'))).status).toBe(404);
      });

      it('serves the request schemas, and they catch the same mistakes client-side', async () => {
        const list = (await (await registry.app.request('/v1/schemas')).json()) as { name: string; href: string }[];
        expect(list.map((s) => s.name)).toContain('contract-proposal');
        const schema = (await (await registry.app.request('/v1/schemas/organisation-create.json')).json()) as object;
        const ajv = new Ajv2020({ strict: false });
        addFormats.default(ajv);
        const validate = ajv.compile(schema);
        expect(validate(newOrganisation('00000001000000000010'))).toBe(true);
        expect(validate(newOrganisation('123'))).toBe(false);
      });
    });

    it('records every change in the history, in serial order', async () => {
      const changes = (await (await registry.app.request('/v1/changes?entity=contract')).json()) as {
        serial: number;
        action: string;
      }[];
      expect(changes.length).toBeGreaterThan(7);
      const serials = changes.map((c) => c.serial);
      expect(serials).toEqual([...serials].sort((a, b) => a - b));
      expect(changes.map((c) => c.action)).toContain('revoke');
    });
  });
}
