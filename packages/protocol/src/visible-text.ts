/**
 * The one rule for text that came from outside and is shown where people read it (a terminal, a log
 * line, a page): which characters can forge or hide what they read. The registry refuses them in its
 * records; the operational log, the CLI and the auditor's page write each one as a visible escape.
 * Browser-safe: no Node API.
 */

/**
 * The characters that let text start a new line, return to its start, recolour or rewrite a terminal
 * (C0 with tab, LF, CR and ESC; DEL; C1 with U+009B CSI: Unicode's Cc), end a line in a reader that
 * follows Unicode (U+2028, U+2029), or make it read in another order than it is stored (the
 * bidirectional controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: Bidi_Control). Written
 * out as ranges so that a JSON Schema pattern can carry it to any client; a test holds it equal to
 * `[\p{Cc}\p{Bidi_Control}\u2028\u2029]`.
 */
const CONTROL_RANGES = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069';
const CONTROL_CHARACTERS = new RegExp(`[${CONTROL_RANGES}]`, 'gu');

/**
 * A JSON Schema `pattern` (ECMA-262) that a text matches when it holds no control character: the
 * registry's request schemas put it on every text, member names included.
 */
export const VISIBLE_TEXT_PATTERN = `^[^${CONTROL_RANGES}]*$`;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\u001b` for ESC: how a control character is written where it must be seen, not obeyed. */
const escaped = (c: string) => NAMED[c] ?? `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`;

/**
 * Text as one visible line: every control character is written as its escape (`\n`, `\r`, `\t`,
 * `\u001b`, `\u202e`), so text that came from outside (a name from the registry, a request path, an
 * error that repeats input) can neither start a line that looks like another one, nor move the
 * cursor over one, nor set a terminal's title or clipboard, nor read backwards. The escapes are also
 * valid in a JSON string.
 *
 * @example
 * escapeControlCharacters('/x\n[gateway] FORGED'); // '/x\\n[gateway] FORGED'
 * escapeControlCharacters('Utrecht\u001b]0;pwned\u0007'); // 'Utrecht\\u001b]0;pwned\\u0007'
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, escaped);
}
