import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GatewayRefusal,
  PROBLEM_PATTERNS,
  PROBLEM_STATUS,
  type ProblemCode,
  ProblemError,
  type SchemaError,
  schemaInvalidParams,
} from '@poortwachter/protocol';
import { loadBrpOpenApi } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';
import { fitText, haalCentraalProblem } from '../profiles/haal-centraal-problem.ts';

const SOURCE = fileURLToPath(new URL('..', import.meta.url));

/** Every TypeScript file of the gateway but its tests. */
function sourceFiles(dir = SOURCE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** What a `${…}` in a text stands for here: a number or an identifier of up to 20 characters (an OIN). */
const SAMPLE = '12345678901234567890';

/**
 * The string literals of the expression that starts at `start` (up to the `,` `;` or closing bracket
 * that ends it), at its own level only: `cond ? 'a' : \`b ${n}\`` gives 'a' and 'b 1234…', never the
 * ' en ' of a `join(' en ')` inside it. Each `${…}` becomes SAMPLE.
 */
function literalsOf(source: string, start: number): string[] {
  const found: string[] = [];
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      let text = '';
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\') {
          text += source[j + 1];
          j += 2;
        } else if (c === '`' && source[j] === '$' && source[j + 1] === '{') {
          let braces = 1;
          j += 2;
          while (braces > 0 && j < source.length) {
            if (source[j] === '{') braces++;
            if (source[j] === '}') braces--;
            j++;
          }
          text += SAMPLE;
        } else text += source[j++];
      }
      if (depth === 0) found.push(text);
      i = j;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) break;
  }
  return found;
}

/** The start of the `n`th (0-based) argument of the call whose `(` is at `open`. */
function argumentStart(source: string, open: number, n: number): number | undefined {
  let depth = 0;
  let arg = 0;
  if (n === 0) return open + 1;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === '\\' ? 2 : 1;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return undefined;
      depth--;
    } else if (c === ',' && depth === 0 && ++arg === n) return i + 1;
  }
  return undefined;
}

/**
 * The texts the gateway's code writes as a reason (`reason: …`, `const reason = …`, the third argument
 * of brp-query's `param(…)`) and as a detail (the second argument of `new GatewayRefusal(…)` and
 * `new ProblemError(…)`), each with the file it is in.
 */
function gatewayTexts() {
  const reasons: { text: string; file: string }[] = [];
  const details: { text: string; file: string }[] = [];
  for (const file of sourceFiles()) {
    // Without comment lines: their examples are not texts the gateway sends.
    const source = readFileSync(file, 'utf8').replace(/^\s*(?:\/\/|\/?\*).*$/gm, '');
    const name = file.slice(SOURCE.length);
    for (const m of source.matchAll(/\b(?:reason|[A-Z_]*REASON)\s*(?::|=(?![=>]))\s*/g)) {
      for (const text of literalsOf(source, (m.index ?? 0) + m[0].length)) reasons.push({ text, file: name });
    }
    // reasonOr(specific, general): the specific one is checked where it is made; the general one must fit.
    for (const m of source.matchAll(/\breasonOr\(/g)) {
      const at = argumentStart(source, (m.index ?? 0) + m[0].length - 1, 1);
      for (const text of at === undefined ? [] : literalsOf(source, at)) reasons.push({ text, file: name });
    }
    for (const m of source.matchAll(/\bparam\(/g)) {
      const at = argumentStart(source, (m.index ?? 0) + m[0].length - 1, 2);
      for (const text of at === undefined ? [] : literalsOf(source, at)) reasons.push({ text, file: name });
    }
    for (const m of source.matchAll(/\bnew (?:GatewayRefusal|ProblemError)\(/g)) {
      const at = argumentStart(source, (m.index ?? 0) + m[0].length - 1, 1);
      for (const text of at === undefined ? [] : literalsOf(source, at)) details.push({ text, file: name });
    }
  }
  return { reasons, details };
}

/** The schema reasons of `schemaInvalidParams` (protocol), one error of each keyword the BRP validator reports. */
function schemaReasons(): string[] {
  const errors: SchemaError[] = [
    { keyword: 'required', instancePath: '', params: { missingProperty: 'type' } },
    { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'x' } },
    { keyword: 'pattern', instancePath: '/postcode', params: { pattern: '^[1-9]{1}[0-9]{3}[ ]?[A-Za-z]{2}$' } },
    { keyword: 'enum', instancePath: '/geslacht', params: { allowedValues: ['M', 'V', 'O'] } },
    { keyword: 'enum', instancePath: '/x', params: { allowedValues: ['ecdsa-p256-sha256', 'https://a.example/x'] } },
    { keyword: 'const', instancePath: '/x', params: {} },
    { keyword: 'format', instancePath: '/geboortedatum', params: { format: 'date' } },
    { keyword: 'format', instancePath: '/x', params: { format: 'date-time' } },
    ...['integer', 'number', 'boolean', 'string', 'array', 'object', 'null'].map((type) => ({
      keyword: 'type',
      instancePath: `/${type}`,
      params: { type },
    })),
    ...['minItems', 'maxItems', 'minimum', 'maximum', 'minLength', 'maxLength'].map((keyword) => ({
      keyword,
      instancePath: `/${keyword}`,
      params: { limit: 130 },
    })),
    { keyword: 'uniqueItems', instancePath: '/fields', params: {} },
    { keyword: 'somethingNew', instancePath: '/x', params: {} },
  ];
  return schemaInvalidParams(errors).map((p) => p.reason);
}

describe("the texts of the gateway's problems fit the BRP API's patterns as they are written", () => {
  it("holds the writer's patterns to the spec's", () => {
    const schemas = loadBrpOpenApi().components.schemas as Record<
      string,
      { properties?: Record<string, { pattern?: string }> }
    >;
    const spec = (schema: string, member: string) =>
      new RegExp(schemas[schema]?.properties?.[member]?.pattern ?? 'no pattern in the spec');
    // The same characters (every one up to U+02FF and some beyond) and the same lengths as the spec's.
    const characters = [...Array.from({ length: 0x300 }, (_, i) => String.fromCharCode(i)), '…', '’', '≤', '\u3000'];
    for (const [member, schema] of [
      ['title', 'Foutbericht'],
      ['detail', 'Foutbericht'],
      ['code', 'Foutbericht'],
      ['name', 'InvalidParam'],
      ['reason', 'InvalidParam'],
    ] as const) {
      const ours = PROBLEM_PATTERNS[member];
      const theirs = spec(schema, member);
      expect(
        characters.filter((c) => ours.test(c) !== theirs.test(c)),
        member,
      ).toEqual([]);
      for (const length of [0, 1, 25, 26, 30, 31, 80, 81, 200, 201]) {
        expect(ours.test('a'.repeat(length)), `${member} of ${length}`).toBe(theirs.test('a'.repeat(length)));
      }
    }
  });

  it('every reason the gateway can give, unchanged (its code, and the schema reasons of its BRP checks)', () => {
    const { reasons } = gatewayTexts();
    // The scan finds the reasons it should (so that it cannot pass by finding none).
    expect(reasons.length).toBeGreaterThan(40);
    expect(reasons.map((r) => r.text)).toEqual(
      expect.arrayContaining([
        'Geef een datum die bestaat, of een datum en tijd met tijdzone.',
        'Kies de grootte van een ondertekende boomkop, of laat size weg.',
        `Geef een geheel getal van ${SAMPLE} of meer.`,
        'Deze parameter bestaat niet.',
        'Waarde is geen burgerservicenummer, de elfproef klopt niet.',
      ]),
    );
    expect(reasons.filter((r) => !PROBLEM_PATTERNS.reason.test(r.text))).toEqual([]);
    expect(schemaReasons().filter((text) => !PROBLEM_PATTERNS.reason.test(text))).toEqual([]);
  });

  it('every title, and every detail written in the code (with a sample for what it fills in)', () => {
    for (const code of Object.keys(PROBLEM_STATUS) as ProblemCode[]) {
      expect(new ProblemError(code, 'x').toProblem().title).toMatch(PROBLEM_PATTERNS.title);
    }
    const { details } = gatewayTexts();
    expect(details.length).toBeGreaterThan(40);
    expect(details.filter((d) => !PROBLEM_PATTERNS.detail.test(d.text))).toEqual([]);
  });

  it('sends a text that fits as it is, and fits one that does not only as a last resort, saying so', () => {
    expect(fitText('Geef een getal van 1 tot en met 100.', 'reason')).toEqual({
      text: 'Geef een getal van 1 tot en met 100.',
      fitted: false,
    });
    expect(fitText('fields[12]', 'name')).toEqual({ text: 'fields.12', fitted: false });
    expect(fitText('Fsc-Transaction-Id', 'name')).toEqual({ text: 'FscTransactionId', fitted: false });
    expect(fitText('Geef één filter: traceId.', 'reason')).toEqual({ text: 'Geef een filter, traceId.', fitted: true });
    const told: unknown[] = [];
    const problem = haalCentraalProblem(
      new GatewayRefusal('invalidRequest', 'De periode is niet geldig.', {
        invalidParams: [
          { name: 'van', code: 'date', reason: 'Geef een datum die bestaat, of een datum en tijd met tijdzone.' },
          { name: 'tot', code: 'date', reason: 'Kies 1 ≤ tot.' },
        ],
      }),
      'https://gateway.example/inzage/v1/verwerkingen?van=x',
      (what) => told.push(what),
    );
    expect(problem.invalidParams?.map((p) => p.reason)).toEqual([
      'Geef een datum die bestaat, of een datum en tijd met tijdzone.',
      'Kies 1 tot.',
    ]);
    expect(told).toEqual([{ member: 'reason', code: 'paramsValidation', paramCode: 'date' }]);
  });
});
