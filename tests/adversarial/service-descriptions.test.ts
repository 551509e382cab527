/**
 * A service description that does not fit its API, against the registry's server entry over raw HTTP
 * (issue 26). The gateway reads only the description, so a description that claims an operation, a
 * parameter or a field the source's OpenAPI document does not have, or that lets a parameter select on
 * or a link reveal what the catalogue does not classify, would open a hole no autorisatie covers: the
 * registry refuses it, naming the member. An OpenAPI document built to exhaust the registry is refused
 * too, and the registry keeps answering.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brkService } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntryProcess, startEntry } from '../operations/server-entry.ts';
import { freePort } from '../start-system.ts';

interface Problem {
  invalidParams?: { name: string; code: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: the attacker edits the body freely
type Body = any;

describe('service descriptions that do not fit their API (registry server entry, raw HTTP)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'poortwachter-descriptions-'));
  let registry: EntryProcess;
  let base: string;
  let token: string;

  beforeAll(async () => {
    const port = await freePort();
    registry = await startEntry('packages/registry/src/server/main.ts', {
      DATA_DIR: dataDir,
      PORT: String(port),
      DATABASE_URL: '',
    });
    base = `http://127.0.0.1:${port}`;
    token = readFileSync(join(dataDir, 'registry-admin-token'), 'utf8').trim();
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    fetch(`${base}/v1/services`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const brk = (change: (service: Body) => void): Body => {
    const { id: _id, ...service } = brkService('http://127.0.0.1:1');
    const copy: Body = { id: 'brk-aanval', ...JSON.parse(JSON.stringify(service)) };
    change(copy);
    return copy;
  };

  async function refusedNames(body: unknown): Promise<string[]> {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    return ((await res.json()) as Problem).invalidParams?.map((p) => p.name) ?? [];
  }

  it('refuses a link whose href would reveal an identifier the catalogue does not classify', async () => {
    const names = await refusedNames(
      brk((s) => {
        s.description.resources.zakelijkGerechtigde.links.push({
          rel: 'hypotheken',
          reveals: ['zakelijkGerechtigde.bsn'],
        });
      }),
    );
    expect(names).toContain('description.resources.zakelijkGerechtigde.links[2].reveals[0]');
  });

  it('refuses an operation, a parameter or a field the OpenAPI document does not have', async () => {
    const names = await refusedNames(
      brk((s) => {
        s.description.operations.push({
          id: 'GetEigenaren',
          method: 'GET',
          path: '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}/eigenaren',
          resource: 'zakelijkGerechtigde',
          parameters: [s.description.operations[2].parameters[0]],
        });
        s.description.operations[0].parameters.push({
          name: 'geheim',
          in: 'query',
          selects: ['kadastraalOnroerendeZaak.identificatie'],
        });
        s.fieldCatalogue.push({ ...s.fieldCatalogue[0], path: 'kadastraalOnroerendeZaak.eigenaarBsn' });
      }),
    );
    expect(names).toEqual([
      'description.operations[0].parameters[7].name',
      'description.operations[9].id',
      `fieldCatalogue[${brk(() => {}).fieldCatalogue.length}].path`,
    ]);
  });

  it('refuses an OpenAPI document built to explode, and keeps answering', async () => {
    const wide = (next: string) => ({
      allOf: Array.from({ length: 40 }, () => ({ $ref: `#/components/schemas/${next}` })),
    });
    const started = Date.now();
    const names = await refusedNames(
      brk((s) => {
        const operation = s.openApi.paths['/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}'].get;
        operation.responses['200'].content['application/hal+json'].schema = { $ref: '#/components/schemas/A' };
        Object.assign(s.openApi.components.schemas, {
          A: wide('B'),
          B: wide('C'),
          C: wide('D'),
          D: wide('E'),
          E: { properties: { x: {} } },
        });
      }),
    );
    expect(names).toEqual(['openApi']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('refuses a hal service that describes nothing, and publishes no document in the directory', async () => {
    expect(
      await refusedNames(
        brk((s) => {
          delete s.description;
        }),
      ),
    ).toEqual(['description']);
    const jws = await (await fetch(`${base}/v1/directory`)).text();
    const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      services: Record<string, unknown>[];
    };
    expect(payload.services.map((s) => s.id)).not.toContain('brk-aanval');
    expect(payload.services.every((s) => !('openApi' in s))).toBe(true);
    expect(payload.services.find((s) => s.id === 'brk-bevragen')?.description).toBeDefined();
  });
});
