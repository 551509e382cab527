/**
 * Every text the citizen reads on the page, in plain Dutch (B1): short sentences and common words.
 * Kept in one place so that `readability.test.ts` can check them all (Flesch-Douma score and sentence
 * length) and so that a content designer can improve them without reading code.
 */
export const TEXTS = {
  title: 'Wie heeft mijn gegevens bekeken?',
  intro: [
    'Organisaties van de overheid mogen soms uw gegevens bekijken. Bijvoorbeeld uw naam en uw adres.',
    'Op deze pagina ziet u welke organisatie dat deed. U ziet ook wanneer, waarom en welke wet dat toestaat.',
    'Uw eigen browser controleert elke regel. Zo weet u zeker dat niemand iets heeft weggelaten of veranderd.',
  ],
  login: 'Inloggen',
  loginHelp: 'Log in om te zien wie uw gegevens heeft bekeken.',
  devLogin: 'Dit is een testomgeving. U logt in met een testpersoon, niet met uw echte DigiD.',
  logout: 'Uitloggen',
  loggedIn: 'U bent ingelogd.',
  loggedOut: 'U bent uitgelogd.',
  loggedOutHereOnly: (minutes: number) =>
    `U bent uitgelogd op deze pagina. De inlogdienst gaf geen antwoord. Daar stopt uw inlog vanzelf, binnen ${minutes} ${minutes === 1 ? 'minuut' : 'minuten'}.`,
  loading: 'We halen uw gegevens op en controleren ze. Dit duurt een paar seconden.',
  done: 'Klaar. Alles is opgehaald en gecontroleerd.',
  doneIncomplete: 'Klaar. Maar we konden niet alles ophalen. Het overzicht is dus niet compleet.',
  loginFailed: 'Inloggen is niet gelukt. Probeer het opnieuw.',
  sessionEnded: 'U bent niet meer ingelogd. Log opnieuw in.',
  found: (n: number) =>
    n === 0
      ? 'We hebben niet gevonden dat een organisatie uw gegevens heeft bekeken.'
      : n === 1
        ? 'We hebben 1 keer gevonden dat een organisatie uw gegevens heeft bekeken.'
        : `We hebben ${n} keer gevonden dat een organisatie uw gegevens heeft bekeken.`,
  shown: (shown: number, total: number) =>
    shown === total
      ? `U ziet ze hieronder, de nieuwste eerst.`
      : `U ziet er ${shown} van ${total}. De filter staat aan.`,
  allProven: 'Alle regels zijn gecontroleerd.',
  removedByRetention: (n: number) =>
    n === 1
      ? 'Eén regel uit deze tijd is gewist. Dat moest: de wet zegt hoe lang zo een regel mag blijven.'
      : `${n} regels uit deze tijd zijn gewist. Dat moest: de wet zegt hoe lang zo een regel mag blijven.`,
  someNotProven: (n: number) =>
    n === 1
      ? 'Let op: 1 regel kon niet worden gecontroleerd. Bij die regel staat wat er mis is.'
      : `Let op: ${n} regels konden niet worden gecontroleerd. Bij die regels staat wat er mis is.`,
  incomplete: 'We konden niet alles ophalen:',
  missingDown: (who: string) => `${who} is nu niet bereikbaar.`,
  missingUnverified: (who: string) => `${who} gaf een antwoord dat we niet konden controleren.`,
  missingAdvice: 'Het overzicht is dus niet compleet. Probeer het later opnieuw.',
  registryDown: 'We kunnen de lijst met organisaties nu niet ophalen. Probeer het later opnieuw.',
  unexpected: 'Er ging iets mis bij het ophalen. Probeer het later opnieuw.',
  filters: 'Filteren',
  from: 'Vanaf',
  to: 'Tot en met',
  organisation: 'Organisatie',
  allOrganisations: 'Alle organisaties',
  resetFilters: 'Filter wissen',
  download: 'Overzicht downloaden',
  downloadCsv: 'Download als CSV (voor Excel)',
  print: 'Afdrukken',
  why: 'Waarom',
  askedBy: 'Wie vroeg het',
  askedByText: (delegate: string, responsible: string) =>
    `${delegate} vroeg de gegevens op voor ${responsible}. ${responsible} is verantwoordelijk.`,
  law: 'Welke wet',
  data: 'Welke gegevens',
  checked: 'Gecontroleerd',
  proven: 'Ja. Deze regel staat in het logboek en is niet veranderd.',
  notProven: 'Nee. We konden niet bewijzen dat deze regel klopt.',
  notProvenAdvice: 'Misschien is het logboek veranderd. Neem contact op met de organisatie die het logboek bijhoudt.',
  technical: 'Technische details',
  logKeptBy: (who: string) => `Het logboek wordt bijgehouden door ${who}.`,
  notRight: 'Klopt dit niet?',
  notRightText: (who: string) =>
    `Denkt u dat ${who} uw gegevens niet had mogen bekijken? Of heeft u een vraag? Neem dan contact op met:`,
  noContact: (who: string) =>
    `${who} heeft geen contact voor privacy opgegeven. Neem contact op via de website van ${who}.`,
  mentionNumber: 'Noem dan dit nummer:',
  correction:
    'Kloppen uw gegevens zelf niet? Bijvoorbeeld uw adres? Dan mag u vragen om ze te verbeteren. Dat regelt u bij uw gemeente.',
  email: 'E-mail',
  phone: 'Telefoon',
  website: 'Website',
  lawLink: (law: string, article: string) => `${law}, artikel ${article.replace(/^art(ikel|\.)\s*/i, '')}`,
  opensOfficial: '(op wetten.overheid.nl)',
  noneInPeriod: 'In deze periode heeft geen organisatie uw gegevens bekeken.',
  auditorNote: 'Bent u auditor? Het rapport voor auditors draait op uw eigen computer. Zo blijft uw sleutel bij u.',
  auditorLink: 'Coverage report (auditors, this machine)',
  footer: 'Deze pagina bewaart niets over u. Als u de pagina sluit, bent u uitgelogd.',
} as const;

/** Every text of the page, with sample values where a text takes one, for the readability check. */
export function allSentences(): string[] {
  const org = 'Gemeente Utrecht';
  const samples: Record<string, string[]> = {
    found: [TEXTS.found(0), TEXTS.found(1), TEXTS.found(3)],
    shown: [TEXTS.shown(3, 3), TEXTS.shown(1, 3)],
    someNotProven: [TEXTS.someNotProven(1), TEXTS.someNotProven(2)],
    lawLink: [TEXTS.lawLink('Wet basisregistratie personen', 'art. 3.3')],
    loggedOutHereOnly: [TEXTS.loggedOutHereOnly(1), TEXTS.loggedOutHereOnly(10)],
  };
  return Object.entries(TEXTS).flatMap(([name, value]) => {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return [...value];
    return samples[name] ?? [(value as (who: string) => string)(org)];
  });
}
