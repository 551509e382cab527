/**
 * The citizens' page. Everything it shows is fetched by this browser from the registry and from every
 * gateway in the directory, and checked here by the sdk's own code: the directory against the pinned
 * registry key, each answer's signature against the bronhouder's key, each record's inclusion proof
 * against a signed tree head. The portal that serves this page sees none of it.
 */
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { createBerichtenClient, createCitizenClient, isSdkError } from '@poortwachter/sdk/citizen';
import type { JWK } from 'jose';
import { berichtenView } from './berichten.ts';
import { h, show } from './dom.ts';
import {
  endSession,
  endSessionOnLeave,
  finishLogin,
  type IdentityProviderConfig,
  minutesLeft,
  startLogin,
} from './login.ts';
import { meldingenView } from './meldingen.ts';
import { ownDataView } from './own-data.ts';
import { TEXTS } from './texts.ts';
import { timelineView } from './timeline.ts';

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

/** The page's sections after login, each with its heading; the navigation links to them. */
const SECTIONS = [
  ['mijn-gegevens', TEXTS.ownData],
  ['mijn-meldingen', TEXTS.meldingen],
  ['wie-bekeek', TEXTS.title],
  ['berichten', TEXTS.berichten],
] as const;

function sections() {
  const body = Object.fromEntries(SECTIONS.map(([id]) => [id, h('div', { id: `${id}-content` })])) as Record<
    (typeof SECTIONS)[number][0],
    HTMLDivElement
  >;
  const nav = h(
    'nav',
    { 'aria-label': TEXTS.onThisPage, class: 'on-this-page' },
    h(
      'ul',
      {},
      SECTIONS.map(([id, title]) => h('li', {}, h('a', { href: `#${id}` }, title))),
    ),
  );
  const parts = SECTIONS.map(([id, title]) =>
    h(
      'section',
      { id, 'aria-labelledby': `${id}-title`, class: 'part' },
      h('h2', { id: `${id}-title`, tabindex: '-1' }, title),
      body[id],
    ),
  );
  return { nav, parts, body };
}

/** Refusals of the token concern every section alike: the citizen logs in again. */
const loggedOut = (error: unknown) => isSdkError(error) && ['authentication', 'unauthorized'].includes(error.code);

async function loadPage(config: PortalConfig) {
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
  const { nav, parts, body } = sections();
  show(content, nav, parts);
  say(TEXTS.loading);
  content.setAttribute('aria-busy', 'true');
  const client = createCitizenClient({
    token: token as string,
    registryUrl: config.registryUrl,
    registryKey: config.registryKey,
  });
  const failed = (error: unknown) => {
    if (loggedOut(error)) {
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
  };
  const meldingen = async (directory: DirectorySnapshot, message?: string) => {
    const result = await client.terugmeldingen();
    const said = message ? h('p', { class: 'status', role: 'status', tabindex: '-1' }, message) : null;
    show(
      body['mijn-meldingen'],
      said,
      meldingenView(
        result.terugmeldingen,
        result.missing,
        directory,
        (dienst, id) => client.intrekken(dienst, id).then(() => undefined),
        (text) => void meldingen(directory, text).catch(failed),
      ),
    );
    // The button pressed is gone with the list it was in: the keyboard goes on from what happened.
    said?.focus();
  };
  try {
    const directory = await client.directory();
    const timeline = async () => {
      const result = await client.accessLog({ verify: true, pageSize: 100 });
      show(body['wie-bekeek'], timelineView(result, directory));
      return result;
    };
    // Reading one's own data is itself an access, logged at every bronhouder: only when the citizen asks.
    const fetchOwn = h('button', { type: 'button', class: 'primary', id: 'fetch-own-data' }, TEXTS.ownDataFetch);
    fetchOwn.addEventListener('click', async () => {
      fetchOwn.disabled = true;
      say(TEXTS.ownDataLoading);
      content.setAttribute('aria-busy', 'true');
      try {
        const own = await client.gegevens();
        show(
          body['mijn-gegevens'],
          ownDataView(
            own,
            directory,
            async (dienst, melding) => ({
              referentie: (await client.terugmelden(dienst, melding)).terugMeldingReferentie,
            }),
            () => void meldingen(directory).catch(failed),
          ),
        );
        byId('mijn-gegevens-title').focus();
        const result = await timeline();
        const complete = result.complete && own.missing.length === 0;
        say(complete ? TEXTS.ownDataDone : TEXTS.doneIncomplete, complete ? 'info' : 'error');
      } catch (error) {
        fetchOwn.disabled = false;
        failed(error);
      } finally {
        content.removeAttribute('aria-busy');
      }
    });
    show(body['mijn-gegevens'], h('p', {}, TEXTS.ownDataAsk), fetchOwn);
    const [result] = await Promise.all([timeline(), meldingen(directory)]);
    show(
      body.berichten,
      berichtenView(createBerichtenClient({ token: token as string, directory }), directory, result.records),
    );
    say(result.complete ? TEXTS.done : TEXTS.doneIncomplete, result.complete ? 'info' : 'error');
  } catch (error) {
    failed(error);
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
  if (token) await loadPage(config);
  else loggedOutView(config);
}

void main();
