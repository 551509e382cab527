/**
 * How the CLI finds the organisation an option names (`--oin`, `--as`, `--delegator`): the one rule for
 * every option that takes an organisation. People type an OIN, a part of the name ("haarlem") or the
 * abbreviation they know ("RvIG", "UWV"); a text that fits more than one organisation is never guessed.
 */

/** What the lookup needs of an organisation. */
export interface NamedOrganisation {
  readonly oin: string;
  readonly name: string;
}

/** The outcome: the one organisation meant, or every candidate when several fit. */
export type OrganisationMatch<O> =
  | { readonly kind: 'one'; readonly organisation: O }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly O[] }
  | { readonly kind: 'none' };

const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** The words of a name, folded: letters and digits only ("'s-Hertogenbosch" gives "s", "hertogenbosch"). */
const wordsOf = (name: string) =>
  fold(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * Whether `letters` abbreviate the name's `words` as Dutch abbreviations do: every letter in order is the
 * first letter of a word, or a later letter of a word whose first letter came before it (the parts of a
 * compound: Identiteits*g*egevens in RvIG, Werknemers*v*erzekeringen in UWV); words may be left out
 * (BZK leaves out "Ministerie van … en"). The first letter always starts a word.
 */
export function abbreviates(letters: string, words: readonly string[]): boolean {
  const fits = (at: number, word: number, from: number): boolean => {
    if (at === letters.length) return true;
    const letter = letters[at];
    // A later letter of the current word (whose first letter was used).
    if (word >= 0) {
      const inside = words[word]?.indexOf(letter ?? '', from) ?? -1;
      if (inside >= 0 && fits(at + 1, word, inside + 1)) return true;
    }
    // The first letter of a later word.
    for (let next = word + 1; next < words.length; next++) {
      if (words[next]?.[0] === letter && fits(at + 1, next, 1)) return true;
    }
    return false;
  };
  // Abbreviations are short; a long text is not one (and the search stays small).
  return letters.length >= 2 && letters.length <= 12 && fits(0, -1, 0);
}

/**
 * The organisation `text` names (case and accents aside): its OIN; else every organisation the text
 * fits by either rule: a part of its name ("haarlem"; the whole name; the short name in its
 * parentheses, "UWV"), or an abbreviation of its name ("RvIG" for Rijksdienst voor Identiteitsgegevens).
 * When those fit more than one organisation, all are returned as candidates: nothing is guessed. No
 * rule outranks another, since an organisation chooses its own name: "Haarlem" or "Datahandel BV
 * (RvIG)" would otherwise win `haarlem` or `rvig` over the one people mean. Only an OIN is exact.
 *
 * @example
 * findOrganisation(directory.organisations, 'rvig'); // { kind: 'one', organisation: RvIG }
 * findOrganisation(directory.organisations, 'gemeente'); // { kind: 'ambiguous', candidates: [Utrecht, Haarlem, …] }
 */
export function findOrganisation<O extends NamedOrganisation>(
  organisations: readonly O[],
  text: string,
): OrganisationMatch<O> {
  const wanted = fold(text.trim());
  const letters = wanted.replace(/[^\p{L}\p{N}]/gu, '');
  if (wanted === '') return { kind: 'none' };
  const byOin = organisations.find((o) => o.oin === text.trim());
  if (byOin) return { kind: 'one', organisation: byOin };
  const candidates = organisations.filter(
    (o) => fold(o.name).includes(wanted) || abbreviates(letters, wordsOf(o.name)),
  );
  const [only] = candidates;
  if (candidates.length === 1 && only) return { kind: 'one', organisation: only };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates };
  return { kind: 'none' };
}
