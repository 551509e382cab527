import { describe, expect, it } from 'vitest';
import { openApiSchemaPaths, resolveOpenApiRef } from './openapi-paths.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('openApiSchemaPaths', () => {
  const document = {
    components: {
      schemas: {
        Persoon: {
          type: 'object',
          properties: { naam: ref('Naam'), adressen: { type: 'array', items: ref('Adres') }, ouder: ref('Persoon') },
        },
        Naam: { allOf: [{ properties: { voornamen: { type: 'string' } } }, { properties: { geslachtsnaam: {} } }] },
        Adres: {
          type: 'object',
          properties: { type: { type: 'string' } },
          discriminator: { propertyName: 'type', mapping: { Binnenland: '#/components/schemas/Binnenland' } },
        },
        Binnenland: { allOf: [ref('Adres'), { properties: { postcode: { type: 'string' } } }] },
        'a/b': { properties: { x: {} } },
      },
    },
  };

  it('follows $ref, allOf, arrays and discriminator mappings, and stops where a schema contains itself', () => {
    const paths = openApiSchemaPaths(document, ref('Persoon'));
    expect([...paths].sort()).toEqual([
      'adressen',
      'adressen.postcode',
      'adressen.type',
      'naam',
      'naam.geslachtsnaam',
      'naam.voornamen',
      'ouder',
    ]);
  });

  it('stops at the depth asked', () => {
    expect([...openApiSchemaPaths(document, ref('Persoon'), { maxDepth: 1 })].sort()).toEqual([
      'adressen',
      'naam',
      'ouder',
    ]);
  });

  it('throws a RangeError on a document built to explode, instead of hanging', () => {
    const wide = (next: string) => ({ allOf: Array.from({ length: 50 }, () => ref(next)) });
    const bomb = {
      components: { schemas: { A: wide('B'), B: wide('C'), C: wide('D'), D: wide('E'), E: { properties: { x: {} } } } },
    };
    expect(() => openApiSchemaPaths(bomb, ref('A'))).toThrow(RangeError);
  });

  it('resolves only local references, with JSON Pointer escapes', () => {
    expect(resolveOpenApiRef(document, '#/components/schemas/a~1b')).toEqual({ properties: { x: {} } });
    expect(resolveOpenApiRef(document, 'https://elders.example/schema.json')).toBeUndefined();
    expect(resolveOpenApiRef(document, '#/components/schemas/constructor')).toBeUndefined();
  });
});
