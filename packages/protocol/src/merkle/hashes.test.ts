import { describe, expect, it } from 'vitest';
import { accessLeafHash, canonicalJson, leafHash } from './hashes.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units, as the RFC’s §3.2.3 example does', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes nested objects and arrays without whitespace, leaves undefined members out, keeps array order', () => {
    expect(canonicalJson({ b: [3, { d: true, c: null }, 'x'], a: undefined, e: { z: 1.5, y: -0 } })).toBe(
      '{"b":[3,{"c":null,"d":true},"x"],"e":{"y":0,"z":1.5}}',
    );
    expect(canonicalJson({ only: undefined })).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
  });

  it('makes the leaf of an access record from its id and record, whatever order their keys came in', () => {
    const record = { trace_id: 't', attributes: { b: 1, a: 2 } };
    const reordered = { attributes: { a: 2, b: 1 }, trace_id: 't' };
    const leaf = accessLeafHash({ id: 'r1', record });
    expect(accessLeafHash({ id: 'r1', record: reordered })).toEqual(leaf);
    expect(leaf).toEqual(leafHash('{"id":"r1","record":{"attributes":{"a":2,"b":1},"trace_id":"t"}}'));
  });
});
