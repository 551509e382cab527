import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBrkValidator } from './brk-openapi.ts';
import { createBrpValidator } from './brp-openapi.ts';
import { createOpenApiValidator } from './openapi-validator.ts';

describe('one OpenAPI validator for every spec', () => {
  it('reads an OpenAPI 3.0 document: nullable, float formats, discriminators', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    const path = join(dir, 'spec.yaml');
    writeFileSync(
      path,
      [
        'openapi: 3.0.3',
        'paths: {}',
        'components:',
        '  schemas:',
        '    Bedrag: { type: object, properties: { som: { type: number, format: float, nullable: true } } }',
        '    Dier: { type: object, required: [type], properties: { type: { type: string } },',
        '            discriminator: { propertyName: type, mapping: { kat: "#/components/schemas/Kat" } } }',
        '    Kat: { allOf: [ { $ref: "#/components/schemas/Dier" }, { properties: { poten: { type: integer } } } ] }',
      ].join('\n'),
    );
    const v = createOpenApiValidator(path);
    expect(v.validate('Bedrag', { som: null }).valid).toBe(true);
    expect(v.validate('Bedrag', { som: 12.5 }).valid).toBe(true);
    expect(v.validate('Bedrag', { som: 'twaalf' }).valid).toBe(false);
    expect(v.validate('Dier', { type: 'kat', poten: 4 }).valid).toBe(true);
    expect(v.validate('Dier', { type: 'kat', poten: 'vier' }).valid).toBe(false);
    expect(v.validate('Dier', { type: 'hond' }).valid).toBe(false);
  });

  it('validates a BRK response for an operation, status and media type, and refuses one the spec lacks', () => {
    const v = createBrkValidator();
    const problem = {
      type: 'https://example.org/x',
      status: 404,
      instance: 'http://localhost:8308/x',
      code: 'notFound',
    };
    expect(v.validateResponse('GetKadastraalOnroerendeZaak', 404, 'application/problem+json', problem).valid).toBe(
      true,
    );
    expect(
      v.validateResponse('GetKadastraalOnroerendeZaak', 404, 'application/problem+json', { ...problem, instance: '/x' })
        .valid,
    ).toBe(false);
    expect(v.validateResponse('GetKadastraalOnroerendeZaak', 200, 'application/hal+json', { type: 'huis' }).valid).toBe(
      false,
    );
    expect(() => v.validateResponse('GetKadastraalOnroerendeZaken', 404, 'application/problem+json', problem)).toThrow(
      /declares no/,
    );
    expect(() => v.operation('GetNiets')).toThrow(/no operation/);
    expect(v.operation('ZoekKadastraalOnroerendeZakenMetBsn')).toMatchObject({
      method: 'POST',
      path: '/kadastraalonroerendezaken',
    });
  });

  it('keeps the BRP validator (OpenAPI 3.1) as it was', () => {
    const v = createBrpValidator();
    expect(v.validate('Burgerservicenummer', '999993653').valid).toBe(true);
    expect(v.validate('Burgerservicenummer', '12345').valid).toBe(false);
    expect(v.validateResponse('Personen', 200, 'application/json', { type: 'Onbekend', personen: [] }).valid).toBe(
      false,
    );
  });
});
