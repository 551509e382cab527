/**
 * The management page ("beheer") of one organisation, server-rendered without script: proposals to
 * answer, its own proposals, the contracts in force, every contract's terms in words and its history
 * with each signature, and a form to propose a contract. Dutch (B1), WCAG 2.1 AA.
 */
import { CONTRACT_TIME_ZONE, type DirectorySnapshot, type Organisation } from '@poortwachter/protocol';
import type { ContractState } from '@poortwachter/protocol/contracts';
import type { ContractView } from '../contract-client.ts';
import type { OutwayApplication } from '../outway-admin-client.ts';
import {
  openMeldingen,
  type ServiceMeldingen,
  TERUGMELDINGEN_CSS,
  terugmeldingenSection,
} from './beheer-terugmeldingen.ts';
import { COVERAGE_PAGE_CSS, escapeHtml as e } from './coverage-page.ts';

import type { PageNotice } from './local-page.ts';

export type { PageNotice };

/** The organisation's outway, when the page manages its applications. */
export interface OutwayOnPage {
  readonly url: string;
  readonly applications?: readonly OutwayApplication[];
  /** Why the applications could not be fetched. */
  readonly problem?: string;
}

export interface BeheerPageInput {
  readonly organisation: Organisation;
  readonly directory: DirectorySnapshot;
  readonly contracts: readonly ContractView[];
  readonly notice?: PageNotice;
  readonly outway?: OutwayOnPage;
  /** For a bronhouder whose services take terugmeldingen: their meldingen, per service. */
  readonly terugmeldingen?: readonly ServiceMeldingen[];
  readonly now?: Date;
}

const STATE_WORDS: Record<ContractState, string> = {
  proposed: 'Voorstel: wacht op akkoord',
  inForce: 'Geldt',
  rejected: 'Afgewezen',
  revoked: 'Ingetrokken',
  expired: 'Verlopen',
  notYetValid: 'Geldt nog niet',
  invalid: 'Ongeldig: een handtekening klopt niet',
};

const SIGNATURE_WORDS = { accept: 'Akkoord gegeven', reject: 'Afgewezen', revoke: 'Ingetrokken' } as const;

// A contract's dates in Amsterdam time, as the CLI reads and shows them (CONTRACT_TIME_ZONE).
const dateWords = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: CONTRACT_TIME_ZONE });
const timeWords = new Intl.DateTimeFormat('nl-NL', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: CONTRACT_TIME_ZONE,
});
// To the second: a signature's own time and when the registry received it can lie seconds apart.
const secondWords = new Intl.DateTimeFormat('nl-NL', {
  dateStyle: 'long',
  timeStyle: 'medium',
  timeZone: CONTRACT_TIME_ZONE,
});

/** Contracts sorted into the page's sections, from the organisation's point of view. */
export function sections(contracts: readonly ContractView[], oin: string) {
  const accepted = (c: ContractView) => c.signatureDetails.some((s) => s.oin === oin && s.type === 'accept');
  const proposed = contracts.filter((c) => c.state === 'proposed');
  return {
    incoming: proposed.filter((c) => !accepted(c)),
    outgoing: proposed.filter(accepted),
    inForce: contracts.filter((c) => c.state === 'inForce' || c.state === 'notYetValid'),
    past: contracts.filter((c) => !['proposed', 'inForce', 'notYetValid'].includes(c.state)),
  };
}

function contractArticle(c: ContractView, input: BeheerPageInput, actions: 'answer' | 'revoke' | 'none'): string {
  const { directory, notice } = input;
  const nameOf = (oin: string) => directory.organisations.find((o) => o.oin === oin)?.name ?? `OIN ${oin}`;
  const grant = c.content.grants[0].data;
  const p = grant.properties;
  const service = directory.services.find((s) => s.id === grant.service.name);
  const activity = directory.processing_activities
    .find((a) => a.id === p.processing_activity_id)
    ?.versions.find((v) => v.version === p.processing_activity_version);
  const grondslag = directory.grondslagen.find((g) => g.id === p.grondslag_id);
  const label = (path: string) => service?.fieldCatalogue.find((f) => f.path === path)?.label;
  const id = `c-${c.hash.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const title = `${service?.name ?? grant.service.name} voor ${nameOf(c.parties.afnemer)}`;
  const waiting = [
    c.parties.afnemer,
    c.parties.bronhouder,
    ...(c.parties.delegator ? [c.parties.delegator] : []),
  ].filter((oin) => !c.signatureDetails.some((s) => s.oin === oin && s.type === 'accept'));
  const row = (term: string, value: string) => `<div><dt>${e(term)}</dt><dd>${value}</dd></div>`;
  const terms = [
    row('Status', e(STATE_WORDS[c.state])),
    row(
      'Afnemer (vraagt de gegevens)',
      `${e(nameOf(c.parties.afnemer))} <span class="oin">(OIN ${e(c.parties.afnemer)})</span>`,
    ),
    ...(c.parties.delegator
      ? [
          row(
            'Namens (verantwoordelijk)',
            `${e(nameOf(c.parties.delegator))} <span class="oin">(OIN ${e(c.parties.delegator)})</span>`,
          ),
        ]
      : []),
    row(
      'Bronhouder (levert de gegevens)',
      `${e(nameOf(c.parties.bronhouder))} <span class="oin">(OIN ${e(c.parties.bronhouder)})</span>`,
    ),
    row('Dienst', e(service?.name ?? grant.service.name)),
    row(
      'Verwerkingsactiviteit',
      `${e(activity?.name ?? p.processing_activity_id)} (versie ${e(p.processing_activity_version)})<br><span class="oin">${e(p.processing_activity_id)}</span>`,
    ),
    row(
      'Grondslag',
      grondslag ? `${e(grondslag.title)} (${e(grondslag.lawName)}, ${e(grondslag.article)})` : e(p.grondslag_id),
    ),
    row(
      `Gegevens (${p.fields.length})`,
      `<ul>${p.fields.map((f) => `<li>${label(f) ? `${e(label(f) ?? '')} <span class="oin">(${e(f)})</span>` : e(f)}</li>`).join('')}</ul>`,
    ),
    row('Zoekvragen', `<ul>${p.search_types.map((t) => `<li>${e(t)}</li>`).join('')}</ul>`),
    row(
      'Geldig',
      `van ${e(dateWords.format(c.content.validity.not_before * 1000))} tot en met ${e(dateWords.format(c.content.validity.not_after * 1000))}`,
    ),
    ...(c.state === 'proposed' && waiting.length > 0
      ? [row('Wacht op akkoord van', e(waiting.map(nameOf).join(', ')))]
      : []),
  ];
  const history = c.signatureDetails
    .map(
      (s) =>
        `<tr><td>${e(secondWords.format(new Date(s.signedAt)))}</td><td>${s.recordedAt ? e(secondWords.format(new Date(s.recordedAt))) : 'onbekend'}</td><td>${e(nameOf(s.oin))}</td><td>${e(SIGNATURE_WORDS[s.type])}</td><td>${e(s.reason ?? '')}</td><td class="oin">${e(s.kid.slice(0, 12))}…</td></tr>`,
    )
    .join('');
  const own = notice?.kind === 'error' && notice.form === c.hash ? notice : undefined;
  const reasonId = `${id}-reden`;
  const errorId = `${id}-fout`;
  const form =
    actions === 'none'
      ? ''
      : `<form method="post" action="/ondertekenen" class="actions">
<input type="hidden" name="hash" value="${e(c.hash)}">
${own ? `<p class="error" id="${errorId}">${e(own.message)}</p>` : ''}
<label for="${reasonId}">${actions === 'answer' ? 'Reden (nodig als u afwijst)' : 'Reden van intrekken'}</label>
<textarea id="${reasonId}" name="reden" rows="2"${actions === 'revoke' ? ' required' : ''}${own ? ` aria-invalid="true" aria-describedby="${errorId}"` : ''}>${e(own?.values?.reden ?? '')}</textarea>
<div class="buttons">${
          actions === 'answer'
            ? `<button type="submit" name="actie" value="accept" aria-describedby="${id}-h">Accepteren</button> <button type="submit" name="actie" value="reject" class="secondary" aria-describedby="${id}-h">Afwijzen</button>`
            : `<button type="submit" name="actie" value="revoke" aria-describedby="${id}-h">Intrekken</button>`
        }</div>
</form>`;
  return `<article class="contract" id="${id}" aria-labelledby="${id}-h">
<h3 id="${id}-h">${e(title)}</h3>
<dl class="terms">${terms.join('\n')}</dl>
<details><summary>Geschiedenis en handtekeningen</summary>
<div class="scroll" role="region" aria-label="Geschiedenis van ${e(title)}" tabindex="0"><table>
<thead><tr><th scope="col">Ondertekend op</th><th scope="col">Ontvangen door het register</th><th scope="col">Wie</th><th scope="col">Wat</th><th scope="col">Reden</th><th scope="col">Sleutel</th></tr></thead>
<tbody>${history}</tbody></table></div>
<p>Ondertekend op: de tijd die de organisatie zelf in haar handtekening zette. Ontvangen door het register: wanneer het register de handtekening kreeg. Tijden zijn Nederlandse tijd.</p>
<p class="oin">Contract ${e(c.hash)}</p>
</details>
${form}
</article>`;
}

/** The organisation's own verwerkingsactiviteiten that hold now (their current version). */
function ownActivities(input: BeheerPageInput) {
  const now = (input.now ?? new Date()).toISOString();
  return input.directory.processing_activities.flatMap((a) => {
    const current = a.versions.filter((x) => x.validFrom <= now && x.revokedAt === null).at(-1);
    return current && current.responsibleOin === input.organisation.oin ? [current] : [];
  });
}

function proposalForm(input: BeheerPageInput): string {
  const { directory, organisation, notice } = input;
  const values = notice?.kind === 'error' && notice.form === 'voorstel' ? (notice.values ?? {}) : {};
  const v = (name: string) => e(values[name] ?? '');
  const services = directory.services.filter((s) => s.revokedAt === null && s.providerOin !== organisation.oin);
  const activities = ownActivities(input);
  const grondslagIds = [...new Set(activities.flatMap((a) => a.grondslagIds))];
  const option = (value: string, text: string, chosen: string | undefined) =>
    `<option value="${e(value)}"${chosen === value ? ' selected' : ''}>${e(text)}</option>`;
  if (services.length === 0 || activities.length === 0) {
    return '<p>U kunt hier geen contract voorstellen: er is geen dienst van een andere organisatie, of uw organisatie heeft geen verwerkingsactiviteit die geldt.</p>';
  }
  return `<form method="post" action="/voorstellen" class="propose">
<div><label for="dienst">Welke dienst</label>
<select id="dienst" name="dienst">${services.map((s) => option(s.id, s.name, values.dienst)).join('')}</select></div>
<div><label for="activiteit">Onder welke verwerkingsactiviteit</label>
<select id="activiteit" name="activiteit">${activities.map((a) => option(a.id, a.name, values.activiteit)).join('')}</select></div>
<div><label for="grondslag">Grondslag</label>
<select id="grondslag" name="grondslag">${grondslagIds
    .map((g) => option(g, directory.grondslagen.find((x) => x.id === g)?.title ?? g, values.grondslag))
    .join('')}</select></div>
<div><label for="gegevens">Welke gegevens</label>
<p class="hint" id="gegevens-uitleg">Eén veldpad per regel, zoals naam.voornamen. Vraag alleen wat u nodig hebt.</p>
<textarea id="gegevens" name="gegevens" rows="5" required aria-describedby="gegevens-uitleg">${v('gegevens')}</textarea></div>
<div><label for="zoekvragen">Welke zoekvragen</label>
<p class="hint" id="zoekvragen-uitleg">Gescheiden door komma's, zoals RaadpleegMetBurgerservicenummer.</p>
<input id="zoekvragen" name="zoekvragen" type="text" required aria-describedby="zoekvragen-uitleg" value="${v('zoekvragen')}"></div>
<div><label for="tot">Geldig tot en met</label>
<input id="tot" name="tot" type="date" required value="${v('tot')}"></div>
<div class="buttons"><button type="submit">Voorstel versturen</button></div>
</form>`;
}

/** The section "Applicaties van uw outway": the list with a revoke form per active one, and a form to register one. */
function applicationsSection(input: BeheerPageInput, outway: OutwayOnPage): string {
  const { directory, notice } = input;
  const activityName = (id: string) =>
    directory.processing_activities.find((a) => a.id === id)?.versions.at(-1)?.name ?? id;
  const errorFor = (form: string) => (notice?.kind === 'error' && notice.form === form ? notice : undefined);
  const rows = (outway.applications ?? []).map((a, i) => {
    const id = `app-${i}`;
    const own = errorFor(`intrekken-${a.id}`);
    const revoke =
      a.revokedAt === null
        ? `<form method="post" action="/applicaties/intrekken" class="revoke">
<input type="hidden" name="id" value="${e(a.id)}">
${own ? `<p class="error" id="${id}-fout">${e(own.message)}</p>` : ''}
<div class="check"><input type="checkbox" id="${id}-bevestig" name="bevestig" value="ja" required${own ? ` aria-invalid="true" aria-describedby="${id}-fout"` : ''}>
<label for="${id}-bevestig">Ja, trek ${e(a.name)} in. Haar API-sleutel werkt daarna niet meer.</label></div>
<button type="submit" id="${id}-intrekken">Intrekken</button>
</form>`
        : `Ingetrokken op ${e(timeWords.format(new Date(a.revokedAt)))}`;
    return `<tr><th scope="row">${e(a.name)}</th><td><ul>${a.processingActivities
      .map((p) => `<li>${e(activityName(p))}</li>`)
      .join('')}</ul></td><td>${e(timeWords.format(new Date(a.createdAt)))}</td><td>${revoke}</td></tr>`;
  });
  const list = outway.problem
    ? `<p class="error">${e(outway.problem)}</p>`
    : rows.length === 0
      ? '<p>Er is nog geen applicatie geregistreerd.</p>'
      : `<div class="scroll" role="region" aria-label="Tabel met de applicaties" tabindex="0"><table>
<thead><tr><th scope="col">Naam</th><th scope="col">Verwerkingsactiviteiten</th><th scope="col">Geregistreerd op</th><th scope="col">Intrekken</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  const activities = ownActivities(input);
  const own = errorFor('applicatie');
  const chosen = new Set(own?.values?.activiteiten ? [own.values.activiteiten] : []);
  const form =
    activities.length === 0
      ? '<p>U kunt hier geen applicatie registreren: uw organisatie heeft geen verwerkingsactiviteit die geldt.</p>'
      : `<form method="post" action="/applicaties" class="propose">
${own ? `<p class="error" id="applicatie-fout">${e(own.message)}</p>` : ''}
<div><label for="applicatie-naam">Naam van de applicatie</label>
<input id="applicatie-naam" name="naam" type="text" required maxlength="200" value="${e(own?.values?.naam ?? '')}"${own ? ' aria-describedby="applicatie-fout"' : ''}></div>
<fieldset><legend>Voor welke verwerkingsactiviteiten</legend>
<p class="hint">De applicatie mag alleen gegevens vragen onder de activiteiten die u hier kiest.</p>
${activities
  .map(
    (a, i) =>
      `<div class="check"><input type="checkbox" id="applicatie-activiteit-${i}" name="activiteiten" value="${e(a.id)}"${chosen.has(a.id) ? ' checked' : ''}> <label for="applicatie-activiteit-${i}">${e(a.name)}</label></div>`,
  )
  .join('\n')}
</fieldset>
<div class="buttons"><button type="submit">Applicatie registreren</button></div>
</form>`;
  return `<section aria-labelledby="applicaties"><h2 id="applicaties">Applicaties van uw outway</h2>
<p>Een applicatie vraagt gegevens op via uw outway (<span class="oin">${e(outway.url)}</span>), met een eigen API-sleutel. Deze pagina ondertekent elke wijziging met de sleutel van uw organisatie.</p>
${list}
<h3 id="applicatie-nieuw">Een applicatie registreren</h3>
${form}</section>`;
}

/** The whole page. */
export function beheerPage(input: BeheerPageInput): string {
  const { organisation, notice } = input;
  const s = sections(input.contracts, organisation.oin);
  const list = (items: readonly ContractView[], actions: 'answer' | 'revoke' | 'none', empty: string) =>
    items.length === 0 ? `<p>${e(empty)}</p>` : items.map((c) => contractArticle(c, input, actions)).join('\n');
  const noticeHtml = notice
    ? `<div class="notice ${notice.kind === 'error' ? 'bad' : 'good-block'}" role="${notice.kind === 'error' ? 'alert' : 'status'}" id="melding" tabindex="-1">
<p>${e(notice.message)}</p>${
        notice.apiKey
          ? `<p><strong>Bewaar deze API-sleutel nu.</strong> U ziet hem hierna nooit meer: de outway bewaart hem niet. Kwijt? Trek de applicatie dan in en registreer haar opnieuw.</p>
<p>API-sleutel: <code id="api-sleutel" class="secret">${e(notice.apiKey)}</code></p>`
          : ''
      }${notice.details?.length ? `<ul>${notice.details.map((d) => `<li>${e(d)}</li>`).join('')}</ul>` : ''}</div>`
    : '';
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Beheer: contracten van ${e(organisation.name)}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header><div class="wrap"><p>Beheer van ${e(organisation.name)} <span class="oin-light">(OIN ${e(organisation.oin)})</span></p></div></header>
<main id="inhoud" class="wrap">
<h1>Contracten</h1>
<p>Een contract geeft een afnemer toegang tot gegevens van een dienst. Het geldt pas als alle partijen akkoord geven. Deze pagina ondertekent met de sleutel van uw organisatie op deze computer.</p>
${noticeHtml}
<nav aria-label="Op deze pagina"><ul>
<li><a href="#in">Voorstellen aan u (${s.incoming.length})</a></li>
<li><a href="#uit">Uw voorstellen (${s.outgoing.length})</a></li>
<li><a href="#geldt">Contracten die gelden (${s.inForce.length})</a></li>
<li><a href="#voorbij">Afgewezen, ingetrokken en verlopen (${s.past.length})</a></li>
<li><a href="#nieuw">Een contract voorstellen</a></li>
${input.terugmeldingen ? `<li><a href="#terugmeldingen">Terugmeldingen (${openMeldingen(input.terugmeldingen)} open)</a></li>` : ''}
${input.outway ? `<li><a href="#applicaties">Applicaties van uw outway${input.outway.applications ? ` (${input.outway.applications.filter((a) => a.revokedAt === null).length})` : ''}</a></li>` : ''}
</ul></nav>
<section aria-labelledby="in"><h2 id="in">Voorstellen aan u</h2>
${list(s.incoming, 'answer', 'Er zijn geen voorstellen die op uw antwoord wachten.')}</section>
<section aria-labelledby="uit"><h2 id="uit">Uw voorstellen</h2>
${list(s.outgoing, 'revoke', 'U wacht niet op antwoord op een voorstel.')}</section>
<section aria-labelledby="geldt"><h2 id="geldt">Contracten die gelden</h2>
${list(s.inForce, 'revoke', 'Er geldt geen contract.')}</section>
<section aria-labelledby="voorbij"><h2 id="voorbij">Afgewezen, ingetrokken en verlopen</h2>
${list(s.past, 'none', 'Geen.')}</section>
<section aria-labelledby="nieuw"><h2 id="nieuw">Een contract voorstellen</h2>
<p>U vraagt toegang tot een dienst. De bronhouder van de dienst krijgt uw voorstel en geeft akkoord of wijst het af.</p>
${notice?.kind === 'error' && notice.form === 'voorstel' ? `<p class="error" id="voorstel-fout">${e(notice.message)}</p>` : ''}
${proposalForm(input)}</section>
${input.outway ? applicationsSection(input, input.outway) : ''}
${input.terugmeldingen ? terugmeldingenSection(input.terugmeldingen, notice) : ''}
</main>
</body>
</html>
`;
}

/** The page's style sheet: the auditor's page's, and what the contracts and forms need. */
export const BEHEER_PAGE_CSS = `${COVERAGE_PAGE_CSS}
.oin { font-size: 0.95rem; color: #4a4a4a; overflow-wrap: anywhere; }
.oin-light { font-size: 0.95rem; }
.contract { border: 1px solid #b4b4b4; border-radius: 4px; padding: 0 1rem 1rem; margin: 1rem 0; }
.terms { margin: 0; }
.terms > div { display: flex; flex-wrap: wrap; gap: 0 1rem; padding: 0.25rem 0; border-bottom: 1px solid #e0e0e0; }
.terms dt { font-weight: 600; flex: 0 1 16rem; }
.terms dd { margin: 0; flex: 1 1 14rem; min-width: 0; }
.terms ul { margin: 0; padding-left: 1.25rem; }
textarea, select, input[type=text] { font: inherit; width: 100%; padding: 0.4rem; border: 2px solid var(--text); border-radius: 4px; }
textarea:focus-visible, select:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--text); }
.propose > div, .actions { margin: 0.75rem 0; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.5rem; }
button.secondary { background: #fff; color: var(--blue); }
.hint { margin: 0.25rem 0; }
.notice { border-radius: 4px; padding: 0 1rem; margin: 1rem 0; }
.good-block { border: 3px solid var(--good); }
[aria-invalid=true] { border-color: var(--bad); }
fieldset { border: 1px solid #b4b4b4; border-radius: 4px; margin: 0.75rem 0; }
.check { display: flex; gap: 0.5rem; align-items: baseline; margin: 0.25rem 0; }
.check input { width: 1.25rem; height: 1.25rem; flex: none; }
.revoke { margin: 0; }
.secret { font-size: 1.1rem; overflow-wrap: anywhere; }
${TERUGMELDINGEN_CSS}`;
