import { fromBase64 } from '../bytes.ts';
import { parseFieldUrn } from '../domain/own-data.ts';
import { isBsn } from '../ids.ts';
import { type InvalidParam, ProblemError } from '../problem.ts';
import { VISIBLE_TEXT_PATTERN } from '../visible-text.ts';

const VISIBLE = new RegExp(VISIBLE_TEXT_PATTERN, 'u');

/**
 * A terugmelding (Logius' draft REST standard, `../shared/reference/terugmelding/`, v0.2): a doubted
 * value reported to the bronhouder, by an afnemer (its legal duty, Wet BRP art. 2.34) or by the
 * citizen the data is about (a correctieverzoek, AVG art. 16), in the one shape for both. One parser
 * for every channel (the citizens' page, an afnemer's call, the outway); browser-safe.
 */

/** The statuses of the draft, in its words. */
export const TERUGMELDING_STATUSES = [
  'Gemeld',
  'In behandeling',
  'Ingepland',
  'Onvoldoende contactinformatie',
  'Afgehandeld',
  'Ingetrokken',
] as const;
export type TerugmeldingStatus = (typeof TERUGMELDING_STATUSES)[number];

/** What became of a melding that was handled (`Afgehandeld`). */
export const TERUGMELDING_OUTCOMES = ['gecorrigeerd', 'niet gecorrigeerd', 'al juist'] as const;
export type TerugmeldingOutcome = (typeof TERUGMELDING_OUTCOMES)[number];

/** Statuses after which nothing changes any more. */
export const FINAL_TERUGMELDING_STATUSES: readonly TerugmeldingStatus[] = ['Afgehandeld', 'Ingetrokken'];

/** The media types an attachment may have, each with the bytes its files start with. */
export const BIJLAGE_TYPES = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46], // %PDF
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47],
} as const;
export type BijlageType = keyof typeof BIJLAGE_TYPES;

/** How much one melding may hold. */
export const TERUGMELDING_LIMITS = {
  gegevens: 20,
  objectIdentificatie: 5,
  bijlagesPerGegeven: 3,
  /** Bytes of one attachment, decoded. */
  bijlageBytes: 1_048_576,
  /** Characters of a free text (toelichting, beschrijving, the bronhouder's bericht). */
  textChars: 2000,
  /** Characters of a value, a name, a reference. */
  valueChars: 500,
} as const;

export interface Registratie {
  readonly naam?: string;
  readonly code?: string;
  readonly houder?: string;
  readonly basisRegistratieCode?: string;
}

export interface ContactInformatie {
  readonly naam?: string;
  readonly telefoon?: string;
  readonly email?: string;
  readonly bedrijf?: string;
}

export interface TerugMeldingHeader {
  readonly registratie?: Registratie;
  readonly melder?: ContactInformatie;
  readonly datumMelding?: string;
  readonly peilmoment?: string;
  readonly referentiekenmerk?: string;
  readonly meldingBron?: string;
}

export interface ObjectIdentificatie {
  readonly objectType: string;
  readonly attribuutUrn: string;
  readonly idWaarde: string;
}

export interface Bijlage {
  readonly bestandsnaam: string;
  readonly mimeType: BijlageType;
  /** The file, base64. */
  readonly bijlageData: string;
  readonly beschrijving?: string;
}

export interface TerugMeldingGegeven {
  /** `fieldUrn(serviceId, path)`: the datum that is doubted. */
  readonly attribuutUrn: string;
  readonly betwijfeldeWaarde: string;
  readonly voorgesteldeWaarde: string;
  readonly gegevensElementNaam?: string;
  readonly attribuut?: string;
  readonly objectType?: string;
  readonly bijlages?: readonly Bijlage[];
  /** The draft's own fields; poortwachter knows `toelichting`: why the value is wrong, in the melder's words. */
  readonly eigenvelden?: { readonly toelichting?: string };
}

export interface TerugMelding {
  readonly terugMeldingHeader?: TerugMeldingHeader;
  readonly terugMeldingBody: {
    /** The first identifies the person the melding is about (their BSN); more may name the object (a parcel). */
    readonly objectIdentificatie: readonly ObjectIdentificatie[];
    readonly terugMeldingGegevens: readonly TerugMeldingGegeven[];
  };
}

/** The draft's answer to a melding (`Ontvangen`). */
export interface TerugmeldingOntvangen {
  readonly terugMeldingReferentie: string;
  readonly referentiekenmerk?: string;
  readonly status: TerugmeldingStatus;
  readonly beschrijving: string;
}

/** A melding as citizen, afnemer and bronhouder read it back. */
export interface TerugmeldingView {
  readonly terugMeldingReferentie: string;
  /** The melder's own reference (`terugMeldingHeader.referentiekenmerk`), when it gave one. */
  readonly referentiekenmerk?: string;
  readonly dienst: string;
  /** When it was made (ISO 8601). */
  readonly ingediend: string;
  readonly melder:
    | { readonly soort: 'betrokkene' }
    | { readonly soort: 'organisatie'; readonly naam: string; readonly oin: string };
  readonly gegevens: readonly {
    readonly attribuutUrn: string;
    /** The catalogue's label of the datum, as the timeline names it. */
    readonly veld: string;
    readonly betwijfeldeWaarde: string;
    readonly voorgesteldeWaarde: string;
    readonly toelichting?: string;
    readonly bijlages: readonly {
      readonly bestandsnaam: string;
      readonly mimeType: string;
      readonly grootte: number;
    }[];
  }[];
  readonly status: TerugmeldingStatus;
  readonly uitkomst?: TerugmeldingOutcome;
  /** The bronhouder's message to the melder when it was handled. */
  readonly bericht?: string;
  readonly geschiedenis: readonly { readonly status: TerugmeldingStatus; readonly tijdstip: string }[];
  /** Only in the bronhouder's view: the melding as filed (the person's BSN, the attachments' contents). */
  readonly terugMelding?: TerugMelding;
}

/** The BSN urns that name the person a melding is about: Logius' example's and poortwachter's own. */
const isPersonUrn = (urn: string) =>
  urn === 'urn:brp:persoon:bsn' || parseFieldUrn(urn)?.path.endsWith('burgerservicenummer') === true;

/**
 * Whether a party may move a melding from one status to another: the melder only withdraws (from any
 * status that is not final); the bronhouder takes it in hand, plans it, asks for contact details, and
 * handles it (from any status that is not final, never back to `Gemeld`).
 */
export function terugmeldingTransition(
  from: TerugmeldingStatus,
  to: TerugmeldingStatus,
  by: 'melder' | 'bronhouder',
): boolean {
  if (FINAL_TERUGMELDING_STATUSES.includes(from) || from === to) return false;
  if (by === 'melder') return to === 'Ingetrokken';
  return to !== 'Gemeld' && to !== 'Ingetrokken';
}

/** The BSN of the person a parsed melding is about (its first `objectIdentificatie`). */
export const terugmeldingSubject = (melding: TerugMelding): string =>
  melding.terugMeldingBody.objectIdentificatie[0]?.idWaarde ?? '';

/**
 * What is wrong with one text of a melding or of its handling (the bronhouder's bericht), or undefined:
 * a text within `max` characters, not empty when `required`; a free text (the longer limit) may have
 * lines, and nothing may hold another control character. The one rule for every text of a terugmelding.
 *
 * @example
 * terugmeldingTextProblem(bericht, TERUGMELDING_LIMITS.textChars, true); // { code: 'required', reason: '…' }
 */
export function terugmeldingTextProblem(
  value: unknown,
  max: number,
  required = false,
): { readonly code: string; readonly reason: string } | undefined {
  if (typeof value !== 'string') return { code: 'type', reason: 'Waarde moet een tekst zijn.' };
  if (required && value.trim() === '') return { code: 'required', reason: 'Vul een waarde in.' };
  if (value.length > max) return { code: 'maxLength', reason: `Gebruik hoogstens ${max} tekens.` };
  const visible = max === TERUGMELDING_LIMITS.textChars ? value.replace(/\r?\n/g, ' ') : value;
  if (!VISIBLE.test(visible)) return { code: 'pattern', reason: 'De tekst bevat een stuurteken.' };
  return undefined;
}

/**
 * Parses and checks a melding. Every problem is named by its member's path
 * (`terugMeldingBody.terugMeldingGegevens[0].voorgesteldeWaarde`): a member the draft does not have,
 * a missing one, a text with control characters or over its limit, a first identification that is not a
 * BSN, an `attribuutUrn` that is not a `fieldUrn`, an attachment of another type than it says or over
 * 1 MiB (then 413). What only the receiving inway knows (whose BSN, which fields) it checks itself.
 *
 * @example
 * const melding = parseTerugmelding(JSON.parse(body)); // throws ProblemError (400 or 413)
 */
export function parseTerugmelding(body: unknown): TerugMelding {
  const problems: InvalidParam[] = [];
  let tooLarge = false;
  const problem = (name: string, code: string, reason: string): void => {
    problems.push({ name, code, reason });
  };
  const object = (value: unknown, name: string, members: readonly string[], required: readonly string[] = []) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem(name, 'type', 'Waarde moet een object zijn.');
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record))
      if (!members.includes(key)) problem(`${name}.${key}`, 'unknownParam', 'Parameter is niet verwacht.');
    for (const key of required)
      if (record[key] === undefined) problem(`${name}.${key}`, 'required', 'Parameter is verplicht.');
    return record;
  };
  const text = (value: unknown, name: string, max: number, required = false) => {
    if (value === undefined) return;
    const wrong = terugmeldingTextProblem(value, max, required);
    if (wrong) problem(name, wrong.code, wrong.reason);
  };
  const array = (value: unknown, name: string, min: number, max: number) => {
    if (!Array.isArray(value)) {
      problem(name, 'type', 'Waarde moet een lijst zijn.');
      return [];
    }
    if (value.length < min) problem(name, 'minItems', `Geef er minstens ${min}.`);
    if (value.length > max) problem(name, 'maxItems', `Geef er hoogstens ${max}.`);
    return value.slice(0, max);
  };

  const attachment = (bijlage: unknown, bn: string): void => {
    const a = object(
      bijlage,
      bn,
      ['bestandsnaam', 'mimeType', 'bijlageData', 'beschrijving'],
      ['bestandsnaam', 'mimeType', 'bijlageData'],
    );
    if (!a) return;
    text(a.bestandsnaam, `${bn}.bestandsnaam`, 200, true);
    text(a.beschrijving, `${bn}.beschrijving`, TERUGMELDING_LIMITS.textChars);
    const magic = BIJLAGE_TYPES[a.mimeType as BijlageType] as readonly number[] | undefined;
    if (typeof a.mimeType === 'string' && !magic)
      problem(`${bn}.mimeType`, 'enum', `Kies een van: ${Object.keys(BIJLAGE_TYPES).join(', ')}.`);
    if (a.bijlageData === undefined) return;
    // Base64 of whole bytes: a length of 4n+1 is no base64 at all.
    if (
      typeof a.bijlageData !== 'string' ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(a.bijlageData) ||
      a.bijlageData.length % 4 === 1
    ) {
      problem(`${bn}.bijlageData`, 'base64', 'Het bestand moet in base64 staan.');
      return;
    }
    // Decoded size from the text's length first: a huge attachment is refused before it is decoded.
    if ((a.bijlageData.length * 3) / 4 - 2 > TERUGMELDING_LIMITS.bijlageBytes) {
      tooLarge = true;
      problem(`${bn}.bijlageData`, 'maxSize', 'Een bijlage is hoogstens 1 MB.');
      return;
    }
    const bytes = fromBase64(a.bijlageData);
    if (bytes.length > TERUGMELDING_LIMITS.bijlageBytes) {
      tooLarge = true;
      problem(`${bn}.bijlageData`, 'maxSize', 'Een bijlage is hoogstens 1 MB.');
      return;
    }
    if (magic && !magic.every((byte, k) => bytes[k] === byte))
      problem(`${bn}.bijlageData`, 'mimeType', `Het bestand is geen ${String(a.mimeType)}.`);
  };

  const root = object(body, '', ['terugMeldingHeader', 'terugMeldingBody'], ['terugMeldingBody']);
  const at = (name: string) => name.replace(/^\./, '');
  if (root?.terugMeldingHeader !== undefined) {
    const h = 'terugMeldingHeader';
    const header = object(root.terugMeldingHeader, h, [
      'registratie',
      'melder',
      'datumMelding',
      'peilmoment',
      'referentiekenmerk',
      'meldingBron',
    ]);
    if (header) {
      for (const key of ['datumMelding', 'peilmoment', 'referentiekenmerk', 'meldingBron'])
        text(header[key], `${h}.${key}`, TERUGMELDING_LIMITS.valueChars);
      if (header.registratie !== undefined) {
        const r = object(header.registratie, `${h}.registratie`, ['naam', 'code', 'houder', 'basisRegistratieCode']);
        for (const [key, value] of Object.entries(r ?? {}))
          text(value, `${h}.registratie.${key}`, TERUGMELDING_LIMITS.valueChars);
      }
      if (header.melder !== undefined) {
        const m = object(header.melder, `${h}.melder`, ['naam', 'telefoon', 'email', 'bedrijf']);
        for (const [key, value] of Object.entries(m ?? {}))
          text(value, `${h}.melder.${key}`, TERUGMELDING_LIMITS.valueChars);
        if (typeof m?.telefoon === 'string' && !/^[0-9+-]{8,20}$/.test(m.telefoon))
          problem(`${h}.melder.telefoon`, 'pattern', 'Een telefoonnummer heeft 8 tot 20 cijfers, + of -.');
        if (typeof m?.email === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(m.email))
          problem(`${h}.melder.email`, 'pattern', 'Dit is geen e-mailadres.');
      }
    }
  }
  const b = 'terugMeldingBody';
  const content =
    root?.terugMeldingBody === undefined
      ? undefined
      : object(
          root.terugMeldingBody,
          b,
          ['objectIdentificatie', 'terugMeldingGegevens'],
          ['objectIdentificatie', 'terugMeldingGegevens'],
        );
  if (content) {
    const ids = array(
      content.objectIdentificatie,
      `${b}.objectIdentificatie`,
      1,
      TERUGMELDING_LIMITS.objectIdentificatie,
    );
    ids.forEach((id, i) => {
      const name = `${b}.objectIdentificatie[${i}]`;
      const o = object(
        id,
        name,
        ['objectType', 'attribuutUrn', 'idWaarde'],
        ['objectType', 'attribuutUrn', 'idWaarde'],
      );
      for (const [key, value] of Object.entries(o ?? {}))
        text(value, `${name}.${key}`, TERUGMELDING_LIMITS.valueChars, true);
      if (i === 0 && o) {
        if (typeof o.attribuutUrn === 'string' && !isPersonUrn(o.attribuutUrn))
          problem(
            `${name}.attribuutUrn`,
            'value',
            'De eerste identificatie noemt de persoon: een burgerservicenummer.',
          );
        if (typeof o.idWaarde === 'string' && !isBsn(o.idWaarde))
          problem(`${name}.idWaarde`, 'bsn', 'Dit is geen geldig burgerservicenummer.');
      }
    });
    const gegevens = array(content.terugMeldingGegevens, `${b}.terugMeldingGegevens`, 1, TERUGMELDING_LIMITS.gegevens);
    gegevens.forEach((gegeven, i) => {
      const name = `${b}.terugMeldingGegevens[${i}]`;
      const g = object(
        gegeven,
        name,
        [
          'attribuutUrn',
          'betwijfeldeWaarde',
          'voorgesteldeWaarde',
          'gegevensElementNaam',
          'attribuut',
          'objectType',
          'bijlages',
          'eigenvelden',
        ],
        ['attribuutUrn', 'betwijfeldeWaarde', 'voorgesteldeWaarde'],
      );
      if (!g) return;
      text(g.attribuutUrn, `${name}.attribuutUrn`, TERUGMELDING_LIMITS.valueChars, true);
      if (typeof g.attribuutUrn === 'string' && !parseFieldUrn(g.attribuutUrn))
        problem(`${name}.attribuutUrn`, 'pattern', 'Noem het gegeven als urn:<dienst>:<pad>.');
      text(g.betwijfeldeWaarde, `${name}.betwijfeldeWaarde`, TERUGMELDING_LIMITS.valueChars);
      text(g.voorgesteldeWaarde, `${name}.voorgesteldeWaarde`, TERUGMELDING_LIMITS.valueChars);
      for (const key of ['gegevensElementNaam', 'attribuut', 'objectType'])
        text(g[key], `${name}.${key}`, TERUGMELDING_LIMITS.valueChars);
      if (g.eigenvelden !== undefined) {
        const e = object(g.eigenvelden, `${name}.eigenvelden`, ['toelichting']);
        text(e?.toelichting, `${name}.eigenvelden.toelichting`, TERUGMELDING_LIMITS.textChars);
      }
      if (g.bijlages === undefined) return;
      for (const [j, bijlage] of array(
        g.bijlages,
        `${name}.bijlages`,
        0,
        TERUGMELDING_LIMITS.bijlagesPerGegeven,
      ).entries())
        attachment(bijlage, `${name}.bijlages[${j}]`);
    });
  }
  if (problems.length > 0) {
    const named = problems.map((p) => ({ ...p, name: at(p.name) || 'body' }));
    throw tooLarge
      ? new ProblemError('payloadTooLarge', 'Een bijlage is te groot.', { invalidParams: named })
      : new ProblemError('paramsValidation', 'De terugmelding is niet volledig of niet juist.', {
          invalidParams: named,
        });
  }
  return body as TerugMelding;
}
