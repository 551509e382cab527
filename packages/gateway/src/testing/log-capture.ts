import { createLogger } from '@poortwachter/operations';
import { loadPersonen } from '@poortwachter/seeds';
import { describe, expect, it } from 'vitest';

/** Every operational log line the test gateways and outways of this test file wrote (JSON, one per entry). */
export const capturedLogLines: string[] = [];

/** The logger test gateways and outways write to: every level, into `capturedLogLines`, nothing on stdout. */
export const testLogger = createLogger('test', {
  level: 'trace',
  destination: {
    write(line: string) {
      capturedLogLines.push(line);
    },
  },
});

let people: { bsns: Set<string>; names: RegExp } | undefined;

/**
 * The lines that carry personal data or a secret: any BSN of the test persons (wherever nine digits
 * stand), any of their geslachtsnamen or voornamen as a word, a JWT (a citizen token, a signed head
 * is not logged either), a bearer token or an `X-API-KEY` value. Returns the offending lines.
 */
export function linesWithPersonalData(lines: readonly string[], secrets: readonly string[] = []): string[] {
  if (!people) {
    const personen = loadPersonen();
    const names = new Set<string>();
    for (const p of personen) {
      const naam = (p as { naam?: { geslachtsnaam?: string; voornamen?: string } }).naam;
      for (const part of [naam?.geslachtsnaam, ...(naam?.voornamen?.split(' ') ?? [])]) {
        if (part && part.length >= 4) names.add(part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      }
    }
    people = {
      bsns: new Set(personen.map((p) => (p as { burgerservicenummer: string }).burgerservicenummer)),
      names: new RegExp(`\\b(${[...names].join('|')})\\b`),
    };
  }
  const known = people;
  return lines.filter(
    (line) =>
      (line.match(/\d{9}/g) ?? []).some((digits) => known.bsns.has(digits)) ||
      known.names.test(line) ||
      /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(line) ||
      /bearer\s+\S{8,}/i.test(line) ||
      secrets.some((secret) => secret.length >= 8 && line.includes(secret)),
  );
}

/** The refusal reasons the captured lines report (`event: refusal`). */
export function loggedRefusalReasons(lines: readonly string[] = capturedLogLines): Set<string> {
  const reasons = new Set<string>();
  for (const line of lines) {
    const entry = JSON.parse(line) as { event?: string; reason?: string };
    if (entry.event === 'refusal' && entry.reason) reasons.add(entry.reason);
  }
  return reasons;
}

/**
 * Call last in a test file: a test that the operational log of everything above has a line for each
 * refusal kind the file drives (`reasons`), and that no line carries a BSN, a name, a token or a key.
 */
export function describeOperationalLog(reasons: readonly string[]): void {
  describe('the operational log of everything above', () => {
    it('reports each refusal kind driven here as a JSON line, without personal data or secrets', () => {
      // The detector finds what it must, so that an empty result means something.
      const planted = ['{"x":"999993653"}', '{"msg":"Suzanne"}', '{"t":"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjMifQ.x"}'];
      expect(linesWithPersonalData(planted)).toHaveLength(3);
      expect([...loggedRefusalReasons(capturedLogLines)]).toEqual(expect.arrayContaining([...reasons]));
      expect(linesWithPersonalData(capturedLogLines)).toEqual([]);
    });
  });
}
