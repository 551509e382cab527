/**
 * Control characters that let text start a new line, return to its start, recolour or rewrite a
 * terminal, or end a line in a reader that follows Unicode: C0 (tab, LF, CR, ESC, …), DEL, C1, and the
 * line and paragraph separators U+2028 and U+2029.
 */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text as one visible line: every control character is written as its escape (`\n`, `\r`, `\t`,
 * `\u001b`, `\u2028`), so text that came from outside (a request path, an error that repeats input)
 * can neither start a line that looks like another part's nor move the cursor over one. The
 * operational log applies it to every message; `pnpm start` to everything it prints from a part.
 *
 * @example
 * escapeControlCharacters('/x\n[gateway] FORGED'); // '/x\\n[gateway] FORGED'
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}
