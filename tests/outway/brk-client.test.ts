import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRK_OPENAPI_PATH, createBrkValidator, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../start-system.ts';
import type { paths } from './brk-api.d.ts';
import { generatedAndCommitted } from './generated-types.ts';

const validator = createBrkValidator();
const specErrors = (operationId: string, body: unknown) => {
  const checked = validator.validateResponse(operationId, 200, 'application/hal+json', body);
  return checked.valid ? [] : checked.errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
};

/**
 * A gemeente's application as it calls Kadaster's BRK bevragen 2.0 (issue 26): a client generated from
 * Kadaster's spec by openapi-typescript and openapi-fetch, an X-API-KEY and the Processing-Activity
 * header, no code of ours, through Utrecht's outway in front of Kadaster's inway (`pnpm start`). Each
 * answer is the HAL the spec describes.
 */
describe("Utrecht's application through the outway to the BRK (a generated BRK client, pnpm start)", () => {
  let system: RunningSystem;
  let client: ReturnType<typeof createClient<paths>>;

  beforeAll(async () => {
    system = await startSystem();
    client = createClient<paths>({
      baseUrl: `http://127.0.0.1:${system.ports.outway}/brk-bevragen`,
      headers: {
        'X-API-KEY': readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim(),
        'Processing-Activity': DEMO_PROCESSING_ACTIVITY.utrechtOzb,
      },
    });
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('uses a client generated from the committed spec (the committed types are what the generator makes)', () => {
    const { generated, committed } = generatedAndCommitted(BRK_OPENAPI_PATH, 'brk-api.d.ts');
    expect(generated).toBe(committed);
  });

  it("finds Suzanne Moulin's home by address, and reads it by id, in spec-valid HAL", async () => {
    const search = await client.GET('/kadastraalonroerendezaken', {
      params: { query: { postcode: '3077AW', huisnummer: 31 } },
    });
    expect(search.error, JSON.stringify(search.error)).toBeUndefined();
    expect(search.response.status).toBe(200);
    expect(search.response.headers.get('content-type')).toContain('application/hal+json');
    expect(specErrors('GetKadastraalOnroerendeZaken', search.data)).toEqual([]);
    const found = search.data?._embedded?.kadastraalOnroerendeZaken ?? [];
    expect(found.map((k) => k.identificatie)).toEqual(['30000000000001']);

    const one = await client.GET('/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}', {
      params: { path: { kadastraalOnroerendeZaakIdentificatie: '30000000000001' } },
    });
    expect(one.response.status).toBe(200);
    expect(specErrors('GetKadastraalOnroerendeZaak', one.data)).toEqual([]);
    // Links point at Kadaster's inway as the directory publishes it, never at the source.
    const self = one.data?._links?.self?.href ?? '';
    expect(self).toBe(`http://localhost:${system.ports.brkGateway}/kadastraalonroerendezaken/30000000000001`);
    expect(JSON.stringify(one.data)).not.toContain(String(system.ports.brkSource));
  });

  it('gets the spec’s problem for what the autorisatie does not cover', async () => {
    const mortgages = await client.GET(
      '/kadastraalonroerendezaken/{kadastraalOnroerendeZaakIdentificatie}/hypotheken',
      {
        params: { path: { kadastraalOnroerendeZaakIdentificatie: '30000000000001' } },
      },
    );
    expect(mortgages.response.status).toBe(403);
    expect(mortgages.response.headers.get('content-type')).toContain('application/problem+json');
    expect(mortgages.error).toMatchObject({ status: 403, code: 'unauthorizedParameter' });
  });
});
