/**
 * A readability check for Dutch: the Flesch-Douma score (Douma 1960, Flesch's formula fitted to
 * Dutch): 206.84 − 0.77 × syllables per 100 words − 0.93 × words per sentence. 60 and up reads as
 * "vrij makkelijk", the band B1 texts fall in; it is a check on sentence and word length, not a
 * judgement on word choice (which the content designer keeps: common words, "u", active voice).
 * Syllables are counted as groups of vowels (ij, ie, oe, eu, ui, ou, au, ei and double vowels are one).
 */
const VOWELS = /[aeiouyàáâäèéêëìíîïòóôöùúûü]+/gi;

export const syllables = (word: string) => Math.max(1, word.match(VOWELS)?.length ?? 0);

export function words(text: string): string[] {
  return text.split(/[^\p{L}\p{N}'-]+/u).filter((w) => /\p{L}/u.test(w));
}

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?:])\s+/)
    .map((s) => s.trim())
    .filter((s) => words(s).length > 0);
}

export function fleschDouma(texts: readonly string[]): { score: number; wordsPerSentence: number; longest: string } {
  const all = texts.flatMap(sentences);
  const allWords = all.flatMap(words);
  const syllableCount = allWords.reduce((n, w) => n + syllables(w), 0);
  const wordsPerSentence = allWords.length / Math.max(1, all.length);
  const score = 206.84 - 0.77 * ((syllableCount / Math.max(1, allWords.length)) * 100) - 0.93 * wordsPerSentence;
  const longest = all.reduce((a, b) => (words(b).length > words(a).length ? b : a), '');
  return { score, wordsPerSentence, longest };
}
