/** The citizen's timeline on the page ("Wie heeft mijn gegevens bekeken?"), and the overview as CSV. */
import { type DirectorySnapshot, toCsv } from '@poortwachter/protocol';
import type { AccessLogResult, TimelineEntry } from '@poortwachter/sdk/citizen';
import { h, printOnly, saveFile, show } from './dom.ts';
import { TEXTS } from './texts.ts';
import { witnessLine } from './witness-line.ts';

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

/**
 * One access as an article: who, when, why, which law, which data, whether it is proven, whom to ask.
 * The citizen's own look at their data (`zelf`) says so, and needs no one to ask about it.
 */
export function accessItem(entry: TimelineEntry, directory: DirectorySnapshot, index: number): HTMLLIElement {
  const id = `access-${index}`;
  const ok = proven(entry);
  const check = entry.inLog;
  return h(
    'li',
    { class: `access ${ok ? 'proven' : 'not-proven'}${entry.zelf ? ' own-look' : ''}`, 'data-id': entry.id },
    h(
      'article',
      { 'aria-labelledby': `${id}-title` },
      h(
        'h3',
        { id: `${id}-title` },
        h('span', { class: 'org' }, entry.zelf ? TEXTS.ownLook : entry.organisatie.naam),
        h('span', { class: 'when' }, whenText(entry.tijdstip)),
      ),
      h(
        'dl',
        {},
        h('dt', {}, TEXTS.why),
        h(
          'dd',
          {},
          entry.zelf ? `${TEXTS.ownLookText(entry.bronhouder)} ` : null,
          h('span', { class: 'verwerking' }, `${entry.verwerking}. `),
          entry.doel,
        ),
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
          h(
            'span',
            { class: ok ? 'badge ok' : 'badge bad' },
            ok ? '✓ ' : '✗ ',
            ok
              ? TEXTS.proven
              : check?.verified === false && check.unwitnessed
                ? TEXTS.notWitnessedLine
                : TEXTS.notProven,
          ),
          ok ? null : h('p', {}, TEXTS.notProvenAdvice),
          h('p', { class: 'kept-by' }, TEXTS.logKeptBy(entry.bronhouder)),
          check && !check.verified
            ? h('details', {}, h('summary', {}, TEXTS.technical), h('p', { class: 'reason' }, check.reason))
            : null,
        ),
      ),
      entry.zelf ? null : contactBlock(entry, directory, id),
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

/** The gateways that gave no (verified) part of the timeline, named. */
function missingView(result: AccessLogResult, directory: DirectorySnapshot) {
  if (result.missing.length === 0) return null;
  return h(
    'div',
    { class: 'alert', role: 'alert', id: 'incomplete' },
    h('h3', {}, TEXTS.incomplete),
    h(
      'ul',
      {},
      result.missing.map((m) => {
        const service = directory.services.find((s) => s.id === m.service);
        const name = directory.organisations.find((o) => o.oin === service?.providerOin)?.name ?? m.service;
        const who = `${name} (${service?.name ?? m.service}, ${m.gateway})`;
        return h(
          'li',
          { 'data-gateway': m.gateway },
          /cannot be reached/.test(m.reason) ? TEXTS.missingDown(who) : TEXTS.missingUnverified(who),
          h('details', {}, h('summary', {}, TEXTS.technical), h('p', { class: 'reason' }, m.reason)),
        );
      }),
    ),
    h('p', {}, TEXTS.missingAdvice),
  );
}

/** The timeline's section: what was found, the filters, the exports and one line per access. */
export function timelineView(result: AccessLogResult, directory: DirectorySnapshot) {
  const records = result.records;
  const organisations = [...new Set(records.map((r) => r.organisatie.naam))].sort((a, b) => a.localeCompare(b, 'nl'));
  const from = h('input', { type: 'date', id: 'filter-from', name: 'from' });
  const to = h('input', { type: 'date', id: 'filter-to', name: 'to' });
  const organisation = h(
    'select',
    { id: 'filter-organisation', name: 'organisation' },
    h('option', { value: '' }, TEXTS.allOrganisations),
    organisations.map((o) => h('option', { value: o }, o)),
  );
  const reset = h('button', { type: 'reset', class: 'secondary' }, TEXTS.resetFilters);
  const form = h(
    'form',
    { class: 'filters', 'aria-labelledby': 'filters-title' },
    h('h3', { id: 'filters-title' }, TEXTS.filters),
    h(
      'div',
      { class: 'fields' },
      h('div', {}, h('label', { for: 'filter-from' }, TEXTS.from), from),
      h('div', {}, h('label', { for: 'filter-to' }, TEXTS.to), to),
      h('div', {}, h('label', { for: 'filter-organisation' }, TEXTS.organisation), organisation),
      reset,
    ),
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  const count = h('p', { id: 'count', 'aria-live': 'polite' });
  const list = h('ol', { class: 'timeline', id: 'timeline' });
  const notProven = records.filter((r) => !proven(r)).length;
  const witnesses = witnessLine(records);
  const summary = h(
    'div',
    { class: 'summary' },
    h('p', { id: 'found' }, TEXTS.found(records.length)),
    records.length > 0
      ? h('p', { class: notProven ? 'warning' : 'ok' }, notProven ? TEXTS.someNotProven(notProven) : TEXTS.allProven)
      : null,
    witnesses ? h('p', { id: 'witnessed', class: witnesses.ok ? 'ok' : 'warning' }, witnesses.text) : null,
    result.removedByRetention > 0
      ? h('p', { id: 'removed' }, TEXTS.removedByRetention(result.removedByRetention))
      : null,
  );
  let visible: TimelineEntry[] = [...records];
  const apply = () => {
    visible = records.filter(
      (r) =>
        (!from.value || dayOf(r.tijdstip) >= from.value) &&
        (!to.value || dayOf(r.tijdstip) <= to.value) &&
        (!organisation.value || r.organisatie.naam === organisation.value),
    );
    show(
      list,
      visible.map((r, i) => accessItem(r, directory, i)),
    );
    count.textContent =
      visible.length === 0 && records.length > 0
        ? TEXTS.noneInPeriod
        : records.length > 0
          ? TEXTS.shown(visible.length, records.length)
          : '';
  };
  for (const input of [from, to, organisation]) input.addEventListener('change', apply);
  form.addEventListener('reset', () => setTimeout(apply));
  const csv = h('button', { type: 'button', class: 'secondary', id: 'download-csv' }, TEXTS.downloadCsv);
  csv.addEventListener('click', () =>
    saveFile(
      `wie-bekeek-mijn-gegevens-${new Date().toISOString().slice(0, 10)}.csv`,
      overviewCsv(visible),
      'text/csv;charset=utf-8',
    ),
  );
  const print = h('button', { type: 'button', class: 'secondary', id: 'print' }, TEXTS.print);
  print.addEventListener('click', () => printOnly('wie-bekeek'));
  apply();
  return [
    missingView(result, directory),
    summary,
    records.length > 0 ? form : null,
    records.length > 0 ? h('div', { class: 'actions', role: 'group', 'aria-label': TEXTS.download }, csv, print) : null,
    count,
    list,
  ];
}
