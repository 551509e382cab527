/**
 * "Mijn gegevens": what each bronhouder holds about the citizen, fetched at the source through its inway
 * with the citizen's own token and checked here (the sdk's `gegevens()`), grouped and labelled from the
 * registry's catalogue as the timeline is; each value with "Klopt dit niet?". Also the ways to take it
 * along: the signed file (the sdk's one writer, `downloadFile`) and a printable view.
 */
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { downloadFile, type OwnDataResult } from '@poortwachter/sdk/citizen';
import { correctionControl, type SendMelding } from './correction-form.ts';
import { h, printOnly, saveFile } from './dom.ts';
import { TEXTS } from './texts.ts';

type OwnData = OwnDataResult['bronnen'][number];

function bronView(
  bron: OwnData,
  index: number,
  directory: DirectorySnapshot,
  bsn: string,
  send: SendMelding,
  onSent: () => void,
) {
  const groups = new Map<string, OwnData['velden'][number][]>();
  for (const veld of bron.velden) groups.set(veld.soort, [...(groups.get(veld.soort) ?? []), veld]);
  const service = directory.services.find((s) => s.id === bron.dienst);
  const titleId = `bron-${index}-title`;
  return h(
    'section',
    { class: 'bron', 'aria-labelledby': titleId, 'data-dienst': bron.dienst },
    h('h3', { id: titleId }, TEXTS.ownDataSource(bron.bronhouder.naam)),
    h('p', { class: 'muted' }, TEXTS.ownDataFrom(service?.name ?? bron.dienst)),
    [...groups].map(([soort, velden]) =>
      h(
        'div',
        { class: 'group' },
        h('h4', {}, soort.charAt(0).toUpperCase() + soort.slice(1)),
        h(
          'dl',
          { class: 'values' },
          velden.flatMap((veld) => {
            const control = correctionControl(
              { dienst: bron.dienst, pad: veld.pad, label: veld.label, waarde: veld.waarde },
              bsn,
              send,
              onSent,
            );
            return [
              h('dt', {}, veld.label),
              h(
                'dd',
                { 'data-pad': veld.pad },
                h('span', { class: 'value' }, veld.waarde || TEXTS.emptyValue),
                ' ',
                control.toggle,
                control.result,
                control.form,
              ),
            ];
          }),
        ),
      ),
    ),
  );
}

/**
 * The section's content: one part per bronhouder, the sources that did not answer named at the top,
 * and the buttons to download the signed file and to print.
 */
export function ownDataView(
  result: OwnDataResult,
  directory: DirectorySnapshot,
  send: SendMelding,
  onSent: () => void,
) {
  const bsn = result.betrokkene.bsn;
  const download = h('button', { type: 'button', class: 'secondary', id: 'download-own-data' }, TEXTS.downloadOwnData);
  download.addEventListener('click', () => {
    saveFile(
      `mijn-gegevens-${new Date().toISOString().slice(0, 10)}.json`,
      `${JSON.stringify(downloadFile(result), null, 2)}\n`,
      'application/json',
    );
  });
  const print = h('button', { type: 'button', class: 'secondary', id: 'print-own-data' }, TEXTS.printOwnData);
  print.addEventListener('click', () => printOnly('mijn-gegevens'));
  return [
    result.missing.length > 0
      ? h(
          'div',
          { class: 'alert', role: 'alert', id: 'own-data-incomplete' },
          h('p', {}, TEXTS.ownDataMissing),
          h(
            'ul',
            {},
            result.missing.map((m) => {
              const service = directory.services.find((s) => s.id === m.service);
              const name = directory.organisations.find((o) => o.oin === service?.providerOin)?.name ?? m.service;
              return h(
                'li',
                {},
                `${name} (${service?.name ?? m.service})`,
                h('details', {}, h('summary', {}, TEXTS.technical), h('p', { class: 'reason' }, m.reason)),
              );
            }),
          ),
        )
      : null,
    h('p', {}, result.bronnen.length > 0 ? TEXTS.ownDataIntro : TEXTS.ownDataNone),
    ...result.bronnen.map((bron, i) => bronView(bron, i, directory, bsn, send, onSent)),
    result.bronnen.length > 0
      ? h(
          'div',
          { class: 'take-along' },
          h('h3', {}, TEXTS.takeAlong),
          h('p', {}, TEXTS.downloadOwnDataHelp),
          h('div', { class: 'actions' }, download, print),
        )
      : null,
  ];
}
