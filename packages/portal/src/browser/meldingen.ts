/**
 * "Mijn meldingen": every terugmelding about the citizen, at every bronhouder: their own correction
 * requests (with "Intrekken" while not final) and those an organisation filed about their data. Status,
 * outcome and the bronhouder's message as the inway gives them; every text a melding carries is shown as
 * text (the dom builder never parses HTML).
 */
import type { DirectorySnapshot, TerugmeldingView } from '@poortwachter/protocol';
import { h } from './dom.ts';
import { TEXTS } from './texts.ts';
import { whenText } from './timeline.ts';

const FINAL = new Set(['Afgehandeld', 'Ingetrokken']);

/** Withdraws one of the citizen's own meldingen at its bronhouder. */
export type Withdraw = (dienst: string, id: string) => Promise<void>;

function subjectOf(melding: TerugmeldingView): string {
  const velden = melding.gegevens.map((g) => g.veld).join(', ');
  return melding.melder.soort === 'organisatie'
    ? TEXTS.meldingOrganisation(melding.melder.naam, velden)
    : TEXTS.meldingOwn(velden);
}

function meldingItem(
  melding: TerugmeldingView,
  index: number,
  directory: DirectorySnapshot,
  withdraw: Withdraw,
  onChange: (message: string) => void,
) {
  const service = directory.services.find((s) => s.id === melding.dienst);
  const bronhouder =
    directory.organisations.find((o) => o.oin === service?.providerOin)?.name ?? service?.name ?? melding.dienst;
  const titleId = `melding-${index}-title`;
  const own = melding.melder.soort === 'betrokkene';
  let action: HTMLButtonElement | null = null;
  if (own && !FINAL.has(melding.status)) {
    const button = h('button', { type: 'button', class: 'secondary withdraw' }, TEXTS.withdraw);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await withdraw(melding.dienst, melding.terugMeldingReferentie);
        onChange(TEXTS.withdrawn);
      } catch {
        button.disabled = false;
        onChange(TEXTS.withdrawFailed);
      }
    });
    action = button;
  }
  const pair = (term: string, ...value: (Node | string)[]) => [h('dt', {}, term), h('dd', {}, ...value)];
  return h(
    'li',
    { class: 'melding', 'data-id': melding.terugMeldingReferentie, 'data-status': melding.status },
    h(
      'article',
      { 'aria-labelledby': titleId },
      h(
        'h3',
        { id: titleId },
        h('span', {}, subjectOf(melding)),
        h('span', { class: 'when' }, whenText(melding.ingediend)),
      ),
      h('p', { class: 'muted' }, TEXTS.meldingAt(bronhouder)),
      h(
        'dl',
        {},
        melding.gegevens.flatMap((g) => [
          ...(melding.gegevens.length > 1 ? [h('dt', { class: 'veld' }, g.veld)] : []),
          ...pair(TEXTS.meldingNow, g.betwijfeldeWaarde),
          ...pair(TEXTS.meldingProposed, g.voorgesteldeWaarde),
          ...(g.toelichting ? pair(TEXTS.meldingWhy, g.toelichting) : []),
          ...(g.bijlages.length > 0 ? pair(TEXTS.meldingFiles, g.bijlages.map((b) => b.bestandsnaam).join(', ')) : []),
        ]),
        pair(
          TEXTS.meldingStatus,
          h('strong', { class: 'status-name' }, melding.status),
          '. ',
          TEXTS.statusText[melding.status] ?? '',
        ),
        melding.uitkomst
          ? pair(
              TEXTS.meldingOutcome,
              h('strong', { class: 'outcome' }, melding.uitkomst),
              '. ',
              TEXTS.outcomeText[melding.uitkomst] ?? '',
            )
          : [],
        melding.bericht ? pair(TEXTS.meldingMessage(bronhouder), h('span', { class: 'bericht' }, melding.bericht)) : [],
        pair(TEXTS.meldingNumber, h('span', { class: 'number' }, melding.terugMeldingReferentie)),
      ),
      melding.geschiedenis.length > 1
        ? h(
            'details',
            {},
            h('summary', {}, TEXTS.meldingHistory),
            h(
              'ol',
              { class: 'history' },
              melding.geschiedenis.map((s) => h('li', {}, `${whenText(s.tijdstip)}: ${s.status}`)),
            ),
          )
        : null,
      action,
    ),
  );
}

/** The section's content: the meldingen newest first, or a sentence that there are none. */
export function meldingenView(
  meldingen: readonly TerugmeldingView[],
  missing: readonly { service: string }[],
  directory: DirectorySnapshot,
  withdraw: Withdraw,
  onChange: (message: string) => void,
) {
  const sorted = [...meldingen].sort((a, b) => b.ingediend.localeCompare(a.ingediend));
  return [
    missing.length > 0
      ? h(
          'div',
          { class: 'alert', role: 'alert' },
          h('p', {}, TEXTS.meldingenMissing),
          h(
            'ul',
            {},
            missing.map((m) => {
              const service = directory.services.find((s) => s.id === m.service);
              const name = directory.organisations.find((o) => o.oin === service?.providerOin)?.name ?? m.service;
              return h('li', {}, name);
            }),
          ),
        )
      : null,
    sorted.length === 0
      ? h('p', { id: 'meldingen-none' }, TEXTS.meldingenNone)
      : h(
          'ol',
          { class: 'meldingen', id: 'meldingen-list' },
          sorted.map((m, i) => meldingItem(m, i, directory, withdraw, onChange)),
        ),
  ];
}
