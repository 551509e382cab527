/**
 * Every text the citizen reads on the page, in plain Dutch (B1): short sentences and common words.
 * Kept in one place so that `readability.test.ts` can check them all (Flesch-Douma score and sentence
 * length) and so that a content designer can improve them without reading code.
 */
export const TEXTS = {
  title: 'Wie heeft mijn gegevens bekeken?',
  intro: [
    'Op deze pagina ziet u wat de overheid over u weet. Bijvoorbeeld uw naam en uw adres.',
    'Klopt er iets niet? Dan vraagt u hier om een verbetering.',
    'U ziet ook welke organisatie uw gegevens bekeek. En wanneer, waarom en welke wet dat toestaat.',
    'Uw eigen browser controleert alles. Zo weet u zeker dat niemand iets heeft weggelaten of veranderd.',
  ],
  onThisPage: 'Op deze pagina',
  login: 'Inloggen',
  loginHelp: 'Log in om uw gegevens te zien.',
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
  witnessed: (n: number) =>
    n === 1
      ? 'Dit overzicht is bevestigd door 1 onafhankelijke getuige.'
      : `Dit overzicht is bevestigd door ${n} onafhankelijke getuigen.`,
  noWitnesses:
    'Dit overzicht is niet bevestigd door onafhankelijke getuigen. Zo kan een organisatie u een ander logboek laten zien dan anderen.',
  notWitnessed: (n: number) =>
    n === 1
      ? 'Let op: 1 regel is niet bevestigd door genoeg getuigen. Misschien ziet u een ander logboek dan anderen.'
      : `Let op: ${n} regels zijn niet bevestigd door genoeg getuigen. Misschien ziet u een ander logboek dan anderen.`,
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
  notWitnessedLine: 'Nee. Te weinig getuigen hebben dit logboek bevestigd.',
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
    'Kloppen uw gegevens zelf niet? Bijvoorbeeld uw adres? Dan mag u vragen om ze te verbeteren. Dat doet u hierboven bij Mijn gegevens.',
  ownLook: 'U heeft zelf uw gegevens bekeken',
  ownLookText: (bronhouder: string) => `U keek op deze pagina wat ${bronhouder} over u weet.`,
  email: 'E-mail',
  phone: 'Telefoon',
  website: 'Website',
  lawLink: (law: string, article: string) => `${law}, artikel ${article.replace(/^art(ikel|\.)\s*/i, '')}`,
  opensOfficial: '(op wetten.overheid.nl)',
  noneInPeriod: 'In deze periode heeft geen organisatie uw gegevens bekeken.',
  auditorNote: 'Bent u auditor? Het rapport voor auditors draait op uw eigen computer. Zo blijft uw sleutel bij u.',
  auditorLink: 'Coverage report (auditors, this machine)',
  // Mijn gegevens
  ownData: 'Mijn gegevens',
  ownDataAsk:
    'Wilt u zien wat de overheid over u weet? Dan halen we het op bij elke organisatie. Dat ziet u daarna ook in het overzicht hieronder.',
  ownDataFetch: 'Mijn gegevens ophalen',
  ownDataLoading: 'We halen uw gegevens op en controleren ze.',
  ownDataDone: 'Klaar. Uw gegevens staan hieronder.',
  ownDataIntro: 'Dit weten deze organisaties over u. Elke organisatie heeft haar gegevens zelf ondertekend.',
  ownDataNone: 'Geen organisatie heeft gegevens over u gegeven.',
  ownDataSource: (bronhouder: string) => `Bij ${bronhouder}`,
  ownDataMissing: 'Deze organisaties konden we niet bereiken:',
  ownDataFrom: (dienst: string) => `Uit: ${dienst}.`,
  emptyValue: '(leeg)',
  takeAlong: 'Meenemen',
  downloadOwnData: 'Download mijn gegevens (bestand)',
  downloadOwnDataHelp:
    'In het bestand staat de handtekening van elke organisatie. Zo kan iedereen zien dat er niets is veranderd.',
  printOwnData: 'Mijn gegevens afdrukken',
  // Klopt dit niet? (a correction request)
  notRightFor: (veld: string) => `Klopt dit niet? (${veld})`,
  correctionTitle: (veld: string) => `Uw ${veld} klopt niet`,
  correctionNow: 'Nu staat er:',
  correctionWhat: 'Wat moet het zijn?',
  correctionWhy: 'Waarom?',
  correctionWhyHint: 'Bijvoorbeeld: ik ben op 1 maart verhuisd.',
  correctionFile: 'Bewijs (niet verplicht)',
  correctionFileHint: 'Een PDF, JPG of PNG van hoogstens 1 MB. Bijvoorbeeld een huurcontract.',
  correctionFileTooBig: 'Dit bestand is te groot. Kies een bestand van hoogstens 1 MB.',
  correctionFileType: 'Kies een PDF, JPG of PNG.',
  correctionRequired: 'Vul dit in.',
  correctionSame: 'Dit is hetzelfde als wat er nu staat.',
  send: 'Versturen',
  cancel: 'Annuleren',
  sending: 'We versturen uw melding.',
  sent: (referentie: string) =>
    `Uw melding is verstuurd. Het nummer is ${referentie}. U ziet de melding bij Mijn meldingen.`,
  sendFailed: 'Versturen is niet gelukt. Probeer het later opnieuw.',
  sendRefused: 'Versturen is niet gelukt. Kijk wat er mis is:',
  // Mijn meldingen
  meldingen: 'Mijn meldingen',
  meldingenNone: 'U heeft nog niets gemeld. Er zijn ook geen meldingen van organisaties over u.',
  meldingOwn: (veld: string) => `U meldde dat uw ${veld} niet klopt`,
  meldingOrganisation: (organisatie: string, veld: string) => `${organisatie} meldde twijfel over uw ${veld}`,
  meldingAt: (bronhouder: string) => `Bij ${bronhouder}`,
  meldingNow: 'Nu staat er',
  meldingProposed: 'Het moet zijn',
  meldingWhy: 'Waarom',
  meldingFiles: 'Bewijs',
  meldingStatus: 'Hoe staat het ervoor?',
  meldingOutcome: 'Uitkomst',
  meldingMessage: (bronhouder: string) => `Bericht van ${bronhouder}`,
  meldingNumber: 'Nummer',
  meldingHistory: 'Wat er gebeurde',
  withdraw: 'Intrekken',
  withdrawn: 'Uw melding is ingetrokken.',
  withdrawFailed: 'Intrekken is niet gelukt. Probeer het later opnieuw.',
  meldingenMissing: 'We konden niet alle meldingen ophalen. Deze organisaties gaven geen antwoord:',
  statusText: {
    Gemeld: 'De organisatie heeft uw melding gekregen.',
    'In behandeling': 'De organisatie onderzoekt de melding.',
    Ingepland: 'De organisatie gaat de melding binnenkort onderzoeken.',
    'Onvoldoende contactinformatie': 'De organisatie heeft meer informatie nodig.',
    Afgehandeld: 'De organisatie is klaar met de melding.',
    Ingetrokken: 'De melding is ingetrokken.',
  } as Record<string, string>,
  outcomeText: {
    gecorrigeerd: 'Uw gegevens zijn verbeterd.',
    'niet gecorrigeerd': 'Uw gegevens zijn niet veranderd.',
    'al juist': 'Uw gegevens waren al goed.',
  } as Record<string, string>,
  // Berichten
  berichten: 'Berichten',
  berichtenIntro:
    'Wilt u een e-mail als een organisatie uw gegevens bekeek? In de e-mail staat alleen dat er iets nieuws is. Daarna logt u hier in om te zien wat.',
  berichtenEmail: 'Uw e-mailadres',
  berichtenInvalidEmail: 'Vul een goed e-mailadres in, zoals naam@voorbeeld.nl.',
  berichtenHowOften: 'Hoe vaak?',
  berichtenDaily: 'Hoogstens 1 keer per dag',
  berichtenWeekly: 'Hoogstens 1 keer per week',
  berichtenWhich: 'Over welke organisaties? (niet verplicht)',
  berichtenWhichHint:
    'U kiest uit de organisaties die uw gegevens al eens bekeken. Kiest u niets? Dan krijgt u een e-mail over alle organisaties.',
  berichtenSave: 'Opslaan',
  berichtenStop: 'Geen e-mail meer',
  berichtenSaved: 'Opgeslagen. U krijgt een e-mail als er iets nieuws is.',
  berichtenStopped: 'U krijgt geen e-mail meer.',
  berichtenOn: (email: string) => `U krijgt nu e-mail op ${email}.`,
  berichtenOff: 'U krijgt nu geen e-mail.',
  berichtenNoMail: (bronhouder: string) => `${bronhouder} verstuurt geen e-mail.`,
  berichtenFailed: (bronhouder: string) => `Bij ${bronhouder} is het niet gelukt. Probeer het later opnieuw.`,
  footer: 'Deze pagina bewaart niets over u. Als u de pagina sluit, bent u uitgelogd.',
} as const;

/** Every text of the page, with sample values where a text takes one, for the readability check. */
export function allSentences(): string[] {
  const org = 'Gemeente Utrecht';
  const samples: Record<string, string[]> = {
    found: [TEXTS.found(0), TEXTS.found(1), TEXTS.found(3)],
    shown: [TEXTS.shown(3, 3), TEXTS.shown(1, 3)],
    someNotProven: [TEXTS.someNotProven(1), TEXTS.someNotProven(2)],
    witnessed: [TEXTS.witnessed(1), TEXTS.witnessed(2)],
    notWitnessed: [TEXTS.notWitnessed(1), TEXTS.notWitnessed(2)],
    lawLink: [TEXTS.lawLink('Wet basisregistratie personen', 'art. 3.3')],
    loggedOutHereOnly: [TEXTS.loggedOutHereOnly(1), TEXTS.loggedOutHereOnly(10)],
    notRightFor: [TEXTS.notRightFor('straat')],
    correctionTitle: [TEXTS.correctionTitle('straat')],
    sent: [TEXTS.sent('4f0c2a')],
    meldingOwn: [TEXTS.meldingOwn('straat')],
    meldingOrganisation: [TEXTS.meldingOrganisation(org, 'straat')],
    berichtenOn: [TEXTS.berichtenOn('suzanne@example.nl')],
    statusText: Object.values(TEXTS.statusText),
    outcomeText: Object.values(TEXTS.outcomeText),
  };
  return Object.entries(TEXTS).flatMap(([name, value]) => {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return [...value];
    return samples[name] ?? [(value as (who: string) => string)(org)];
  });
}
