import { describe, expect, it } from 'vitest';
import { BERICHTEN_TEXTS } from './browser/berichten-texts.ts';
import { fleschDouma, words } from './readability.ts';

/** The Berichten section's texts, with a sample for what they fill in. */
const texts = Object.values(BERICHTEN_TEXTS).map((t) =>
  typeof t === 'function' ? t('Gemeente Utrecht, Kadaster') : t,
);

describe("the citizens' page, Berichten: plain Dutch (B1)", () => {
  it('scores 60 or more on Flesch-Douma, with short sentences', () => {
    const { score, wordsPerSentence, longest } = fleschDouma(texts);
    expect(score, `Flesch-Douma ${score.toFixed(1)}`).toBeGreaterThanOrEqual(60);
    expect(wordsPerSentence).toBeLessThanOrEqual(12);
    expect(words(longest).length, longest).toBeLessThanOrEqual(20);
  });
});
