import { isGatewayRefusal } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { brpQuery } from './brp-query.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isGatewayRefusal(error)) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('the BRP query, with the decoder and the known members made once', () => {
  const query = brpQuery();
  const valid = JSON.stringify({
    type: 'RaadpleegMetBurgerservicenummer',
    burgerservicenummer: ['999993653'],
    fields: ['naam.voornamen'],
  });

  it('refuses bytes that are not UTF-8, and reads the next body as before', () => {
    expect(refusal(() => query.parse(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).message).toBe(
      'De body is geen geldige JSON.',
    );
    // A cut multi-byte character: a decoder that kept it would join it to the next body.
    expect(refusal(() => query.parse(new Uint8Array([0x7b, 0x22, 0xc3]))).message).toBe(
      'De body is geen geldige JSON.',
    );
    expect(query.parse(bytes(valid)).type).toBe('RaadpleegMetBurgerservicenummer');
  });

  it('names a member only another search type knows as not expected, per search type', () => {
    const other = refusal(() =>
      query.parse(
        bytes(
          JSON.stringify({
            type: 'RaadpleegMetBurgerservicenummer',
            burgerservicenummer: ['999993653'],
            fields: ['naam.voornamen'],
            geslachtsnaam: 'Moulin',
          }),
        ),
      ),
    );
    expect(other.invalidParams?.map((p) => [p.name, p.code])).toContainEqual(['geslachtsnaam', 'unknownParam']);
    expect(query.parse(bytes(valid)).burgerservicenummer).toEqual(['999993653']);
  });
});
