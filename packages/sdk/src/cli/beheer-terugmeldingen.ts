/**
 * The section "Terugmeldingen" of a bronhouder's management page: the meldingen its inways keep
 * (from citizens and from afnemers), each with its status; opened, its doubted values, the proposals
 * and the history, with "In behandeling nemen" and "Afhandelen" (uitkomst and a message for the
 * melder). Everything the melder typed is shown escaped, as text.
 */
import { FINAL_TERUGMELDING_STATUSES, type TerugmeldingOutcome, type TerugmeldingView } from '@poortwachter/protocol';
import { escapeHtml as e } from './coverage-page.ts';
import type { PageNotice } from './local-page.ts';

/** The meldingen of one service of the organisation, or why they could not be fetched. */
export interface ServiceMeldingen {
  readonly service: string;
  readonly serviceName: string;
  readonly meldingen?: readonly TerugmeldingView[];
  readonly problem?: string;
}

/** The outcomes a bronhouder closes a melding with, in the words the page shows (the protocol's values). */
export const UITKOMST_WORDS: Readonly<Record<TerugmeldingOutcome, string>> = {
  gecorrigeerd: 'Gecorrigeerd: het gegeven is aangepast',
  'niet gecorrigeerd': 'Niet gecorrigeerd: het gegeven blijft zoals het was',
  'al juist': 'Al juist: het gegeven klopte al',
};

/** Whether a form's value is one of the outcomes. */
export const isUitkomst = (value: string): value is TerugmeldingOutcome => Object.hasOwn(UITKOMST_WORDS, value);

const FINAL = new Set(FINAL_TERUGMELDING_STATUSES);

const timeWords = new Intl.DateTimeFormat('nl-NL', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Amsterdam',
});
const at = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeWords.format(date);
};

/** How many meldingen wait for the bronhouder (not handled, not withdrawn). */
export const openMeldingen = (services: readonly ServiceMeldingen[]): number =>
  services.reduce((n, s) => n + (s.meldingen ?? []).filter((m) => !FINAL.has(m.status)).length, 0);

/** The form name a melding's errors are shown with. */
export const meldingForm = (id: string) => `melding-${id}`;

function melderWords(m: TerugmeldingView): string {
  return m.melder.soort === 'betrokkene'
    ? 'De betrokkene zelf'
    : `${e(m.melder.naam)} <span class="oin">(OIN ${e(m.melder.oin)})</span>`;
}

function article(s: ServiceMeldingen, m: TerugmeldingView, index: number, notice: PageNotice | undefined): string {
  const id = `tm-${index}`;
  const own = notice?.kind === 'error' && notice.form === meldingForm(m.terugMeldingReferentie) ? notice : undefined;
  const fields = m.gegevens.map((g) => g.veld).join(', ');
  const title = `${fields} (${s.serviceName})`;
  const rows = m.gegevens
    .map(
      (g) =>
        `<tr><th scope="row">${e(g.veld)}<br><span class="oin">${e(g.attribuutUrn)}</span></th><td>${e(
          g.betwijfeldeWaarde,
        )}</td><td>${e(g.voorgesteldeWaarde)}</td><td>${e(g.toelichting ?? '')}</td><td>${g.bijlages
          .map((b) => `${e(b.bestandsnaam)} (${e(b.mimeType)}, ${e(b.grootte)} bytes)`)
          .join('<br>')}</td></tr>`,
    )
    .join('\n');
  const history = m.geschiedenis.map((h) => `<li>${e(at(h.tijdstip))}: ${e(h.status)}</li>`).join('');
  const hidden = `<input type="hidden" name="dienst" value="${e(s.service)}">
<input type="hidden" name="id" value="${e(m.terugMeldingReferentie)}">`;
  const error = own ? `<p class="error" id="${id}-fout">${e(own.message)}</p>` : '';
  const invalid = own ? ` aria-invalid="true" aria-describedby="${id}-fout"` : '';
  const forms = FINAL.has(m.status)
    ? ''
    : `${error}${
        m.status === 'Gemeld'
          ? `<form method="post" action="/terugmeldingen/status" class="actions">
${hidden}
<div class="buttons"><button type="submit" name="actie" value="behandel" aria-describedby="${id}-h">In behandeling nemen</button></div>
</form>`
          : ''
      }
<form method="post" action="/terugmeldingen/status" class="actions">
${hidden}
<fieldset><legend>Afhandelen</legend>
<div><label for="${id}-uitkomst">Uitkomst</label>
<select id="${id}-uitkomst" name="uitkomst"${invalid}>${Object.entries(UITKOMST_WORDS)
        .map(
          ([value, words]) =>
            `<option value="${e(value)}"${own?.values?.uitkomst === value ? ' selected' : ''}>${e(words)}</option>`,
        )
        .join('')}</select></div>
<div><label for="${id}-bericht">Bericht aan de melder</label>
<p class="hint" id="${id}-bericht-uitleg">In gewone taal: wat u hebt gedaan en waarom. De melder leest dit.</p>
<textarea id="${id}-bericht" name="bericht" rows="3" required maxlength="2000" aria-describedby="${id}-bericht-uitleg"${invalid}>${e(
        own?.values?.bericht ?? '',
      )}</textarea></div>
<div class="buttons"><button type="submit" name="actie" value="afhandel" aria-describedby="${id}-h">Afhandelen</button></div>
</fieldset>
</form>`;
  return `<article class="contract" id="${id}" aria-labelledby="${id}-h">
<h4 id="${id}-h">${e(title)}</h4>
<dl class="terms">
<div><dt>Status</dt><dd>${e(m.status)}${m.uitkomst ? ` (${e(m.uitkomst)})` : ''}</dd></div>
<div><dt>Ingediend</dt><dd>${e(at(m.ingediend))}</dd></div>
<div><dt>Melder</dt><dd>${melderWords(m)}</dd></div>
${m.bericht ? `<div><dt>Bericht aan de melder</dt><dd>${e(m.bericht)}</dd></div>` : ''}
</dl>
<details${own ? ' open' : ''}><summary>Bekijken<span class="visually-hidden">: ${e(title)}</span></summary>
<div class="scroll" role="region" aria-label="Gemelde gegevens van ${e(title)}" tabindex="0"><table>
<thead><tr><th scope="col">Gegeven</th><th scope="col">Staat nu</th><th scope="col">Moet zijn</th><th scope="col">Toelichting</th><th scope="col">Bijlagen</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p>Geschiedenis:</p><ul>${history}</ul>
<p class="oin">Kenmerk ${e(m.terugMeldingReferentie)}</p>
</details>
${forms}
</article>`;
}

/** The section: per service, the open meldingen first, then the handled and withdrawn ones. */
export function terugmeldingenSection(services: readonly ServiceMeldingen[], notice: PageNotice | undefined): string {
  let index = 0;
  const parts = services.map((s) => {
    if (s.problem) return `<h3>${e(s.serviceName)}</h3><p class="error">${e(s.problem)}</p>`;
    const all = s.meldingen ?? [];
    const open = all.filter((m) => !FINAL.has(m.status));
    const done = all.filter((m) => FINAL.has(m.status));
    const list = (items: readonly TerugmeldingView[], empty: string) =>
      items.length === 0 ? `<p>${e(empty)}</p>` : items.map((m) => article(s, m, index++, notice)).join('\n');
    return `<h3>${e(s.serviceName)}: open (${open.length})</h3>
${list(open, 'Er zijn geen open terugmeldingen.')}
<h3>${e(s.serviceName)}: afgehandeld en ingetrokken (${done.length})</h3>
${list(done, 'Geen.')}`;
  });
  return `<section aria-labelledby="terugmeldingen"><h2 id="terugmeldingen">Terugmeldingen</h2>
<p>Een burger of een afnemer twijfelt aan een gegeven van uw dienst en meldt dat. Neem de melding in behandeling en handel haar af met een uitkomst en een bericht. Elke stap komt in uw logboek.</p>
${parts.join('\n')}</section>`;
}

/** The style the section adds to the page's. */
export const TERUGMELDINGEN_CSS = `
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
h4 { margin: 0.75rem 0 0.5rem; }
`;
