/**
 * The citizens' page. Everything it shows is fetched by this browser from the registry and from every
 * gateway in the directory, and checked here by the sdk's own code: the directory against the pinned
 * registry key, each answer's signature against the bronhouder's key, each record's inclusion proof
 * against a signed tree head. The portal that serves this page sees none of it.
 */
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { type AccessLogResult, createCitizenClient, isSdkError, type TimelineEntry } from '@poortwachter/sdk/citizen';
import type { JWK } from 'jose';
import { berichtenSection } from './berichten.ts';
import { h, show } from './dom.ts';
import {
  endSession,
  endSessionOnLeave,
  finishLogin,
  type IdentityProviderConfig,
  minutesLeft,
  startLogin,
} from './login.ts';
import { TEXTS } from './texts.ts';
import { accessItem, dayOf, overviewCsv, proven } from './timeline.ts';

interface PortalConfig {
  readonly registryUrl: string;
  readonly registryKey: JWK | { keys: JWK[] };
  readonly identityProvider: IdentityProviderConfig;
  readonly auditorUrl?: string;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = byId<HTMLParagraphElement>('status');
const account = byId<HTMLDivElement>('account');
const content = byId<HTMLDivElement>('content');

/** Only this page's memory holds the token; a reload or a closed tab logs out. */
let token: string | undefined;

function say(text: string, kind: 'info' | 'error' = 'info') {
  status.textContent = text;
  status.className = kind === 'error' ? 'status error' : 'status';
}

function loggedOutView(config: PortalConfig) {
  const button = h('button', { type: 'button', class: 'primary', id: 'login' }, TEXTS.login);
  button.addEventListener('click', () => {
    button.disabled = true;
    void startLogin(config.identityProvider).catch(() => {
      button.disabled = false;
      say(TEXTS.loginFailed, 'error');
    });
  });
  show(account);
  show(
    content,
    h('p', {}, TEXTS.loginHelp),
    config.identityProvider.development ? h('p', { class: 'notice' }, TEXTS.devLogin) : null,
    button,
  );
}

function missingView(result: AccessLogResult, directory: DirectorySnapshot) {
  if (result.missing.length === 0) return null;
  return h(
    'div',
    { class: 'alert', role: 'alert', id: 'incomplete' },
    h('h2', {}, TEXTS.incomplete),
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

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function timelineView(result: AccessLogResult, directory: DirectorySnapshot) {
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
    h('h2', { id: 'filters-title' }, TEXTS.filters),
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
  const summary = h(
    'div',
    { class: 'summary' },
    h('p', { id: 'found' }, TEXTS.found(records.length)),
    records.length > 0
      ? h('p', { class: notProven ? 'warning' : 'ok' }, notProven ? TEXTS.someNotProven(notProven) : TEXTS.allProven)
      : null,
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
    download(
      `wie-bekeek-mijn-gegevens-${new Date().toISOString().slice(0, 10)}.csv`,
      overviewCsv(visible),
      'text/csv;charset=utf-8',
    ),
  );
  const print = h('button', { type: 'button', class: 'secondary', id: 'print' }, TEXTS.print);
  print.addEventListener('click', () => window.print());
  apply();
  return [
    missingView(result, directory),
    summary,
    records.length > 0 ? form : null,
    records.length > 0 ? h('div', { class: 'actions', role: 'group', 'aria-label': TEXTS.download }, csv, print) : null,
    h('h2', { class: 'visually-hidden', id: 'list-title' }, TEXTS.title),
    count,
    list,
  ];
}

async function loadTimeline(config: PortalConfig) {
  const logout = h('button', { type: 'button', class: 'secondary', id: 'logout' }, TEXTS.logout);
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    const ending = token;
    token = undefined;
    const ended = ending === undefined || (await endSession(config.identityProvider, ending));
    say(ended ? TEXTS.loggedOut : TEXTS.loggedOutHereOnly(minutesLeft(ending as string)), ended ? 'info' : 'error');
    loggedOutView(config);
  });
  show(account, h('span', {}, TEXTS.loggedIn), logout);
  show(content);
  say(TEXTS.loading);
  content.setAttribute('aria-busy', 'true');
  const client = createCitizenClient({
    token: token as string,
    registryUrl: config.registryUrl,
    registryKey: config.registryKey,
  });
  try {
    const directory = await client.directory();
    const result = await client.accessLog({ verify: true, pageSize: 100 });
    show(content, timelineView(result, directory), berichtenSection({ token: token as string, directory }));
    say(result.complete ? TEXTS.done : TEXTS.doneIncomplete, result.complete ? 'info' : 'error');
  } catch (error) {
    if (isSdkError(error) && ['authentication', 'unauthorized'].includes(error.code)) {
      token = undefined;
      say(TEXTS.sessionEnded, 'error');
      loggedOutView(config);
    } else if (
      isSdkError(error) &&
      ['network', 'timeout', 'directoryUnavailable', 'directoryUnverified'].includes(error.code)
    ) {
      say(TEXTS.registryDown, 'error');
    } else {
      say(TEXTS.unexpected, 'error');
      console.error(error);
    }
  } finally {
    content.removeAttribute('aria-busy');
  }
}

async function main() {
  show(
    byId('intro'),
    TEXTS.intro.map((t) => h('p', {}, t)),
  );
  byId('footer-note').textContent = TEXTS.footer;
  const config = (await (await fetch('/config.json')).json()) as PortalConfig;
  show(
    byId('auditor-note'),
    TEXTS.auditorNote,
    config.auditorUrl ? [' ', h('a', { href: config.auditorUrl, lang: 'en' }, TEXTS.auditorLink)] : null,
  );
  try {
    token = await finishLogin(config.identityProvider);
  } catch (error) {
    console.error(error);
    say(TEXTS.loginFailed, 'error');
  }
  // Closing or leaving the page logs out: the session at the identity provider ends too.
  addEventListener('pagehide', () => {
    if (token) endSessionOnLeave(config.identityProvider, token);
    token = undefined;
  });
  if (token) await loadTimeline(config);
  else loggedOutView(config);
}

void main();
