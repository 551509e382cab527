import { isProblemError } from '@poortwachter/protocol';
import { describe, expect, it } from 'vitest';
import { REQUEST_SAMPLES, textMembers } from '../testing/request-samples.ts';
import { REQUEST_SCHEMAS } from './schemas.ts';
import { publishedSchema, validateBody } from './validate-body.ts';

/** Each kind of character that forges or hides what people read, with how the registry names it. */
const CONTROLS = [
  '\u001b]52;c;ZWNobyBwd25lZA==\u0007', // OSC 52: writes the clipboard
  '\u001b]0;pwned\u0007', // a window title
  '\r\u001b[2KNiemand', // back to the start of the line, erase it
  '\u001b[8m', // SGR 8: hidden text
  '\nNiemand', // a line of its own
  '\t',
  '\u0000',
  '\u007f',
  '\u0085', // NEL: a line end in C1
  '\u009b2K', // CSI in C1
  '\u2028',
  '\u2029',
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u200f', // right-to-left mark
];

/** The invalid parameters of a refused body, or a failure when it was accepted. */
function refusal(schema: (typeof REQUEST_SAMPLES)[number]['schema'], body: unknown) {
  try {
    validateBody(schema, body);
  } catch (error) {
    if (isProblemError(error) && error.status === 400) return error.invalidParams ?? [];
    throw error;
  }
  throw new Error(`${schema} accepted ${JSON.stringify(body)}`);
}

describe('no control character in any text of a registry record', () => {
  it('has a sample of every request schema, which its schema accepts', () => {
    expect(REQUEST_SAMPLES.map((s) => s.schema).sort()).toEqual(Object.keys(REQUEST_SCHEMAS).sort());
    for (const { schema, body } of REQUEST_SAMPLES) expect(() => validateBody(schema, body), schema).not.toThrow();
  });

  it('refuses each kind in every text member, naming that member', () => {
    let tried = 0;
    for (const { schema, body } of REQUEST_SAMPLES) {
      for (const member of textMembers(body)) {
        for (const control of CONTROLS) {
          const params = refusal(schema, member.replace(`${member.value}${control}`));
          const named = params.find((p) => p.name === member.name && p.code === 'pattern');
          expect(named?.reason, `${schema} ${member.name}: ${JSON.stringify(params)}`).toMatch(/stuurteken/);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(40 * CONTROLS.length);
  });

  it('refuses them in the names of members a schema leaves open, naming the member visibly', () => {
    const service = REQUEST_SAMPLES.find((s) => s.schema === 'service-update')?.body as {
      fieldCatalogue: Record<string, unknown>[];
    };
    const field = service.fieldCatalogue[0] as Record<string, unknown>;
    const params = refusal('service-update', {
      ...service,
      fieldCatalogue: [
        { ...field, automatic: { rule: 'byCategory', member: 'soort', categories: { 'ouder\u001b[8m': ['naam'] } } },
      ],
    });
    expect(params.map((p) => p.name)).toEqual(['fieldCatalogue[0].automatic.categories.ouder\\u001b[8m']);
    const key = refusal('key-create', {
      jwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc', 'note\r\n': 'x' },
    });
    expect(key.map((p) => p.name)).toEqual(['jwk.note\\r\\n']);
  });

  it('accepts the letters of every script, marks, emoji and typographic punctuation', () => {
    const sample = REQUEST_SAMPLES.find((s) => s.schema === 'organisation-update')?.body ?? {};
    for (const name of ['Zoë van ’t Hek – Ĳsselstein', 'مرحبا', 'שלום', 'Gemeente 👩‍⚖️', 'a\u00a0b']) {
      expect(() => validateBody('organisation-update', { ...sample, name }), name).not.toThrow();
    }
  });

  it('publishes the rule with every schema, so that a client can check before it sends', () => {
    const schema = publishedSchema('organisation-update') as { $ref?: string; $defs?: Record<string, unknown> };
    expect(schema.$ref).toBe('#/$defs/visibleText');
    expect(JSON.stringify(schema.$defs)).toContain('\\\\u001f');
  });
});
