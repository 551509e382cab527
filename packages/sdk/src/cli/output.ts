/**
 * The CLI's one way to print. Every text it prints is made by the `shown` template: the template's own
 * parts are the CLI's words and layout (line breaks, the progress bar's redraw), and every value put
 * into it (a name from the registry, a gateway's answer, an error message that repeats input) is shown
 * with each control character written as its escape. So nothing from outside can start a line,
 * rewrite one, set the terminal's title or clipboard, hide text or read backwards.
 */
import { type CsvCell, escapeControlCharacters, toCsv } from '@poortwachter/protocol';

/** Held by this module only: nothing else can make a TerminalText from a bare string. */
const OWN = Symbol('TerminalText');

/** Text that is safe to print: made by `shown`, `joined`, `ownText`, `jsonText`, `csvText` or `table`. */
export class TerminalText {
  readonly #text: string;

  constructor(own: typeof OWN, text: string) {
    if (own !== OWN) throw new TypeError('A TerminalText is made by shown`…`, not from a bare string.');
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

const make = (text: string) => new TerminalText(OWN, text);

/** A value as one visible line; text made here already stays as it is. */
export const visible = (value: unknown): string =>
  value instanceof TerminalText ? value.toString() : escapeControlCharacters(String(value));

/**
 * The template for everything the CLI prints: its literal parts are printed as written, every value
 * in it as one visible line.
 *
 * @example
 * print(shown`auditor: ${organisation.name}\n`); // a name with "\r\u001b[2K" prints as "\\r\\u001b[2K"
 */
export function shown(parts: TemplateStringsArray, ...values: unknown[]): TerminalText {
  return make(parts.reduce((text, part, i) => `${text}${visible(values[i - 1])}${part}`));
}

/** Lines (or other parts) joined by the CLI's own separator. */
export function joined(parts: readonly TerminalText[], separator: TerminalText = shown`\n`): TerminalText {
  return make(parts.map(String).join(separator.toString()));
}

/**
 * The CLI's own multi-line text (its help, made from its own definitions): its line breaks are kept,
 * any other control character is still escaped.
 */
export const ownText = (text: string): TerminalText => make(text.split('\n').map(escapeControlCharacters).join('\n'));

/**
 * A value as JSON text (indented by two). JSON.stringify escapes C0 but writes DEL, C1 (U+009B is a
 * CSI), U+2028, U+2029 and the bidi controls as they are; here each is written as its `\uXXXX` escape,
 * which JSON reads back as the same character, so the data is unchanged.
 */
export const jsonText = (value: unknown): TerminalText => ownText(`${JSON.stringify(value, null, 2)}\n`);

/**
 * Rows as CSV by the project's CSV writer, each text cell shown as one visible line first: a cell's
 * line break would be a quoted one in a file, but on a terminal it moves the cursor all the same.
 */
export const csvText = (rows: readonly (readonly CsvCell[])[]): TerminalText =>
  make(toCsv(rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell : visible(cell))))));

/** Prints on stdout. */
export function print(text: TerminalText): void {
  process.stdout.write(text.toString());
}

/** Prints on stderr (messages, progress). */
export function printError(text: TerminalText): void {
  process.stderr.write(text.toString());
}
