/** One line of the citizen's timeline on the page, and the overview as CSV. */
import { type DirectorySnapshot, toCsv } from '@poortwachter/protocol';
import type { TimelineEntry } from '@poortwachter/sdk/citizen';
import { h } from './dom.ts';
import { TEXTS } from './texts.ts';

const WHEN = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' });
const DAY = new Intl.DateTimeFormat('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  timeZone: 'Europe/Amsterdam',
});

export const whenText = (iso: string) => WHEN.format(new Date(iso));
/** The day of an access in the Netherlands (`2026-12-03`), as the period filter compares it. */
export const dayOf = (iso: string) => DAY.format(new Date(iso));

export const proven = (entry: TimelineEntry) => entry.inLog?.verified === true;

/** Only web addresses become links: a `javascript:` or other scheme from any source stays text. */
const webLink = (href: string, ...text: (Node | string)[]) =>
  /^https?:\/\//i.test(href) ? h('a', { href, rel: 'noopener noreferrer' }, ...text) : h('span', {}, ...text);

function lawItems(entry: TimelineEntry) {
  return entry.grondslagen.map((g) =>
    h(
      'li',
      {},
      `${g.omschrijving}: `,
      webLink(
        g.link,
        TEXTS.lawLink(g.wet, g.artikel),
        ' ',
        h('span', { class: 'visually-hidden' }, TEXTS.opensOfficial),
      ),
    ),
  );
}

function contactBlock(entry: TimelineEntry, directory: DirectorySnapshot, id: string) {
  const who = entry.organisatie.naam;
  const contact = directory.organisations.find((o) => o.oin === entry.organisatie.oin)?.privacyContact;
  const ways = contact
    ? h(
        'dl',
        { class: 'contact' },
        h('dt', {}, contact.name),
        contact.email
          ? h('dd', {}, `${TEXTS.email}: `, h('a', { href: `mailto:${contact.email}` }, contact.email))
          : null,
        contact.phone
          ? h('dd', {}, `${TEXTS.phone}: `, h('a', { href: `tel:${contact.phone.replace(/\s/g, '')}` }, contact.phone))
          : null,
        contact.url ? h('dd', {}, `${TEXTS.website}: `, webLink(contact.url, contact.url)) : null,
      )
    : h('p', {}, TEXTS.noContact(who));
  return h(
    'details',
    { class: 'not-right', id: `${id}-not-right` },
    h('summary', {}, TEXTS.notRight),
    h('p', {}, TEXTS.notRightText(who)),
    ways,
    h('p', {}, `${TEXTS.mentionNumber} `, h('strong', { class: 'number' }, entry.transactieId || entry.id), '.'),
    h('p', {}, TEXTS.correction),
  );
}

/** One access as an article: who, when, why, which law, which data, whether it is proven, whom to ask. */
export function accessItem(entry: TimelineEntry, directory: DirectorySnapshot, index: number): HTMLLIElement {
  const id = `access-${index}`;
  const ok = proven(entry);
  const check = entry.inLog;
  return h(
    'li',
    { class: ok ? 'access proven' : 'access not-proven', 'data-id': entry.id },
    h(
      'article',
      { 'aria-labelledby': `${id}-title` },
      h(
        'h3',
        { id: `${id}-title` },
        h('span', { class: 'org' }, entry.organisatie.naam),
        h('span', { class: 'when' }, whenText(entry.tijdstip)),
      ),
      h(
        'dl',
        {},
        h('dt', {}, TEXTS.why),
        h('dd', {}, h('span', { class: 'verwerking' }, `${entry.verwerking}. `), entry.doel),
        // A delegate asked for the gemeente: the gemeente is responsible, and the citizen sees who asked.
        entry.gevraagdDoor ? h('dt', {}, TEXTS.askedBy) : null,
        entry.gevraagdDoor
          ? h('dd', { class: 'asked-by' }, TEXTS.askedByText(entry.gevraagdDoor.naam, entry.organisatie.naam))
          : null,
        h('dt', {}, TEXTS.law),
        h('dd', {}, h('ul', { class: 'laws' }, lawItems(entry))),
        h('dt', {}, TEXTS.data),
        h(
          'dd',
          {},
          h(
            'ul',
            { class: 'data' },
            entry.gegevens.map((g) => h('li', {}, `${g.soort}: ${g.velden.join(', ')}`)),
          ),
        ),
        h('dt', {}, TEXTS.checked),
        h(
          'dd',
          { class: 'check' },
          h('span', { class: ok ? 'badge ok' : 'badge bad' }, ok ? '✓ ' : '✗ ', ok ? TEXTS.proven : TEXTS.notProven),
          ok ? null : h('p', {}, TEXTS.notProvenAdvice),
          h('p', { class: 'kept-by' }, TEXTS.logKeptBy(entry.bronhouder)),
          check && !check.verified
            ? h('details', {}, h('summary', {}, TEXTS.technical), h('p', { class: 'reason' }, check.reason))
            : null,
        ),
      ),
      contactBlock(entry, directory, id),
    ),
  );
}

/**
 * The overview as CSV (semicolons, as Dutch spreadsheets expect; UTF-8 with BOM so é stays é), by the
 * project's one CSV writer, which neutralises a name a spreadsheet would run as a formula.
 */
export function overviewCsv(entries: readonly TimelineEntry[]): string {
  const header = [
    'datum en tijd',
    'organisatie',
    'oin',
    'waarom',
    'doel',
    'wet',
    'gegevens',
    'gecontroleerd',
    'nummer',
    'logboek van',
  ];
  const rows = entries.map((e) => [
    whenText(e.tijdstip),
    e.organisatie.naam,
    e.organisatie.oin,
    e.verwerking,
    e.doel,
    e.grondslagen.map((g) => `${g.wet} artikel ${g.artikel} (${g.link})`).join(' | '),
    e.gegevens.map((g) => `${g.soort}: ${g.velden.join(', ')}`).join(' | '),
    proven(e) ? 'ja' : 'nee',
    e.transactieId || e.id,
    e.bronhouder,
  ]);
  return toCsv([header, ...rows], { separator: ';', lineEnd: '\r\n', bom: true });
}
