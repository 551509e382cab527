/**
 * The texts of the Berichten section (notice settings), in plain Dutch (B1): kept apart from the
 * page's other texts (texts.ts) so that the section stays one piece; berichten.test.ts holds them to
 * the same Flesch-Douma check.
 */
export const BERICHTEN_TEXTS = {
  title: 'Berichten',
  intro:
    'Wilt u het weten als een organisatie uw gegevens gebruikt? Dan sturen we u een e-mail. In de e-mail staat niet wie het was. U logt in om dat te zien.',
  email: 'Uw e-mailadres',
  frequency: 'Hoe vaak mag u een e-mail krijgen?',
  daily: 'Hooguit één keer per dag',
  weekly: 'Hooguit één keer per week',
  filter: 'Over welke organisaties?',
  filterAll: 'Over alle organisaties',
  filterSome: 'Alleen over de organisaties die ik aanvink',
  save: 'Opslaan',
  stop: 'Geen e-mail meer',
  saving: 'Even geduld. We sturen uw keuze naar de organisaties.',
  saved: 'Opgeslagen. U krijgt een e-mail als er iets nieuws is.',
  stopped: 'U krijgt geen e-mail meer.',
  current: (email: string) => `U krijgt nu e-mail op ${email}.`,
  none: 'U krijgt nu geen e-mail.',
  noMail: (names: string) => `Deze organisaties sturen geen e-mail: ${names}.`,
  failed: (names: string) => `Dit lukte niet bij: ${names}. Probeer het later opnieuw.`,
  invalidEmail: 'Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.',
  pickOne: 'Vink ten minste één organisatie aan.',
};
