/**
 * "Klopt dit niet?" beside one value of the citizen's own data: a small form (what it should be, why,
 * optionally an attachment) that sends a TerugMelding in Logius' draft shape to the bronhouder's inway.
 * The checks here only help the citizen; the inway checks everything again (protocol's parseTerugmelding).
 */
import { fieldUrn, TERUGMELDING_LIMITS, type TerugMelding, toBase64 } from '@poortwachter/protocol';
import { h, show } from './dom.ts';
import { TEXTS } from './texts.ts';

/** One value the citizen may doubt. */
export interface DoubtedValue {
  readonly dienst: string;
  readonly pad: string;
  readonly label: string;
  readonly waarde: string;
}

/** Sends a melding; answers its reference, or throws with the invalid members' reasons. */
export type SendMelding = (dienst: string, melding: TerugMelding) => Promise<{ referentie: string }>;

const MIME_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
type MimeType = (typeof MIME_TYPES)[number];

let forms = 0;

/**
 * The form for one value, hidden until its "Klopt dit niet?" button opens it. `bsn` is the betrokkene's
 * (the object the melding is about); `onSent` runs after the inway accepted it.
 */
export function correctionControl(value: DoubtedValue, bsn: string, send: SendMelding, onSent: () => void) {
  const id = `correction-${++forms}`;
  const toggle = h(
    'button',
    { type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': id },
    TEXTS.notRight,
    h('span', { class: 'visually-hidden' }, ` (${value.label})`),
  );
  const proposed = h('input', {
    type: 'text',
    id: `${id}-what`,
    name: 'voorgesteldeWaarde',
    maxlength: String(TERUGMELDING_LIMITS.valueChars),
    autocomplete: 'off',
    required: true,
    'aria-describedby': `${id}-what-error`,
  });
  const why = h('textarea', {
    id: `${id}-why`,
    name: 'toelichting',
    maxlength: String(TERUGMELDING_LIMITS.textChars),
    rows: '3',
    required: true,
    'aria-describedby': `${id}-why-hint ${id}-why-error`,
  });
  const file = h('input', {
    type: 'file',
    id: `${id}-file`,
    name: 'bijlage',
    accept: MIME_TYPES.join(','),
    'aria-describedby': `${id}-file-hint ${id}-file-error`,
  });
  const error = (name: string) => h('p', { class: 'field-error', id: `${id}-${name}-error` });
  const errors = { what: error('what'), why: error('why'), file: error('file') };
  const result = h('div', { class: 'form-result', role: 'status', tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'primary' }, TEXTS.send);
  const cancel = h('button', { type: 'button', class: 'secondary' }, TEXTS.cancel);
  const form = h(
    'form',
    { class: 'correction', id, hidden: true, novalidate: true, 'aria-labelledby': `${id}-title` },
    h('h5', { id: `${id}-title` }, TEXTS.correctionTitle(value.label)),
    h('p', {}, `${TEXTS.correctionNow} `, h('strong', {}, value.waarde || TEXTS.emptyValue)),
    h('div', { class: 'field' }, h('label', { for: proposed.id }, TEXTS.correctionWhat), proposed, errors.what),
    h(
      'div',
      { class: 'field' },
      h('label', { for: why.id }, TEXTS.correctionWhy),
      h('p', { class: 'hint', id: `${id}-why-hint` }, TEXTS.correctionWhyHint),
      why,
      errors.why,
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: file.id }, TEXTS.correctionFile),
      h('p', { class: 'hint', id: `${id}-file-hint` }, TEXTS.correctionFileHint),
      file,
      errors.file,
    ),
    h('div', { class: 'actions' }, submit, cancel),
  );
  const setOpen = (open: boolean) => {
    form.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) proposed.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => {
    show(result);
    setOpen(form.hidden);
  });
  cancel.addEventListener('click', () => setOpen(false));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = {
      what: !proposed.value.trim()
        ? TEXTS.correctionRequired
        : proposed.value.trim() === value.waarde
          ? TEXTS.correctionSame
          : '',
      why: why.value.trim() ? '' : TEXTS.correctionRequired,
      file: fileProblem(file.files?.[0]),
    };
    const fields = { what: proposed, why, file } as const;
    for (const [name, text] of Object.entries(problems) as [keyof typeof problems, string][]) {
      errors[name].textContent = text;
      fields[name].setAttribute('aria-invalid', String(text !== ''));
    }
    const first = (Object.keys(problems) as (keyof typeof problems)[]).find((name) => problems[name] !== '');
    if (first) {
      fields[first].focus();
      return;
    }
    submit.disabled = true;
    show(result, TEXTS.sending);
    try {
      const melding = await terugMelding(value, bsn, proposed.value.trim(), why.value.trim(), file.files?.[0]);
      const { referentie } = await send(value.dienst, melding);
      form.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      form.reset();
      show(result, h('p', { class: 'ok' }, TEXTS.sent(referentie)));
      result.focus();
      onSent();
    } catch (failure) {
      const reasons = reasonsOf(failure);
      show(
        result,
        h('p', { class: 'warning' }, reasons.length > 0 ? TEXTS.sendRefused : TEXTS.sendFailed),
        reasons.length > 0
          ? h(
              'ul',
              {},
              reasons.map((r) => h('li', {}, r)),
            )
          : null,
      );
      result.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return { toggle, form, result };
}

function fileProblem(file: File | undefined): string {
  if (!file) return '';
  if (!(MIME_TYPES as readonly string[]).includes(file.type)) return TEXTS.correctionFileType;
  if (file.size > TERUGMELDING_LIMITS.bijlageBytes) return TEXTS.correctionFileTooBig;
  return '';
}

/** The melding in the draft standard's shape: the betrokkene as the object, one doubted attribute. */
async function terugMelding(
  value: DoubtedValue,
  bsn: string,
  voorgesteldeWaarde: string,
  toelichting: string,
  file: File | undefined,
): Promise<TerugMelding> {
  const bijlages = file
    ? [
        {
          bestandsnaam: file.name,
          mimeType: file.type as MimeType,
          bijlageData: toBase64(new Uint8Array(await file.arrayBuffer())),
        },
      ]
    : undefined;
  return {
    terugMeldingBody: {
      objectIdentificatie: [
        { objectType: 'persoon', attribuutUrn: fieldUrn(value.dienst, 'burgerservicenummer'), idWaarde: bsn },
      ],
      terugMeldingGegevens: [
        {
          attribuutUrn: fieldUrn(value.dienst, value.pad),
          betwijfeldeWaarde: value.waarde,
          voorgesteldeWaarde,
          gegevensElementNaam: value.label,
          eigenvelden: { toelichting },
          ...(bijlages ? { bijlages } : {}),
        },
      ],
    },
  };
}

/** The inway's reasons (a problem's invalidParams), for the citizen to see what to change. */
function reasonsOf(failure: unknown): string[] {
  const problem = (failure as { problem?: { invalidParams?: { name: string; reason: string }[] } })?.problem;
  return (problem?.invalidParams ?? []).map((p) => p.reason);
}
