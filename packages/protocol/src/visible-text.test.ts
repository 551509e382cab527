import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, VISIBLE_TEXT_PATTERN } from './visible-text.ts';

describe('control characters in text shown to people', () => {
  it('escapes every control character, the Unicode line separators and the bidi controls, and nothing else', () => {
    expect(escapeControlCharacters('a\nb\r\tc\u001b[2K\u0000\u007f\u0085\u009b\u2028\u2029 é € ‘x’')).toBe(
      'a\\nb\\r\\tc\\u001b[2K\\u0000\\u007f\\u0085\\u009b\\u2028\\u2029 é € ‘x’',
    );
    expect(escapeControlCharacters('\u202eNiemand\u202c \u2066x\u2069 \u200e\u200f\u061c')).toBe(
      '\\u202eNiemand\\u202c \\u2066x\\u2069 \\u200e\\u200f\\u061c',
    );
    // Letters of every script, combining marks, emoji and the zero-width joiner stay as they are.
    const text = 'Gemeente ’s-Hertogenbosch · Zoë · مرحبا · שלום · 👩‍⚖️';
    expect(escapeControlCharacters(text)).toBe(text);
  });

  it('makes the escapes valid in a JSON string', () => {
    const escaped = escapeControlCharacters('\u001b]52;c;x\u0007\u0085\u202e');
    expect(JSON.parse(`"${escaped}"`)).toBe('\u001b]52;c;x\u0007\u0085\u202e');
  });

  it('counts exactly Unicode Cc, Bidi_Control, U+2028 and U+2029, in the pattern a JSON Schema carries too', () => {
    const unicode = /^[\p{Cc}\p{Bidi_Control}\u2028\u2029]$/u;
    const pattern = new RegExp(VISIBLE_TEXT_PATTERN, 'u');
    const differing: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCodePoint(code);
      const control = unicode.test(c);
      if (control !== (escapeControlCharacters(c) !== c) || control === pattern.test(c))
        differing.push(code.toString(16));
    }
    expect(differing).toEqual([]);
  });
});
