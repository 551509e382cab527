/**
 * "Berichten": the citizen asks to be told by e-mail when there is something new in the timeline (daily
 * or weekly, optionally only about some organisations). Every gateway keeps the setting for its own log;
 * the form sets it at all of them and names one that sends no e-mail or failed.
 */
import type { DirectorySnapshot } from '@poortwachter/protocol';
import type { BerichtenAtGateway, BerichtenClient, BerichtenInstelling } from '@poortwachter/sdk/citizen';
import { h, show } from './dom.ts';
import { TEXTS } from './texts.ts';

/** What each gateway said, in words: the setting in force, and each gateway that could not keep it. */
function outcome(parts: readonly BerichtenAtGateway[], done?: string) {
  const kept = parts.find((p) => p.state === 'ok' && p.instelling)?.instelling;
  return [
    done ? h('p', { class: 'ok' }, done) : null,
    h('p', { id: 'berichten-now' }, kept ? TEXTS.berichtenOn(kept.email) : TEXTS.berichtenOff),
    parts.some((p) => p.state !== 'ok')
      ? h(
          'ul',
          { class: 'berichten-problems' },
          parts
            .filter((p) => p.state !== 'ok')
            .map((p) =>
              h(
                'li',
                {},
                p.state === 'unavailable'
                  ? TEXTS.berichtenNoMail(p.bronhouder.naam)
                  : TEXTS.berichtenFailed(p.bronhouder.naam),
              ),
            ),
        )
      : null,
  ];
}

/** The section's content: the form, filled in with what the gateways keep now. */
export function berichtenView(
  client: BerichtenClient,
  directory: DirectorySnapshot,
  timeline: readonly {
    readonly organisatie: { readonly naam: string; readonly oin: string };
    readonly zelf?: boolean;
  }[],
) {
  const seen = timeline.filter((r) => !r.zelf).map((r) => r.organisatie);
  const email = h('input', {
    type: 'email',
    id: 'berichten-email',
    name: 'email',
    autocomplete: 'email',
    required: true,
    'aria-describedby': 'berichten-email-error',
  });
  const emailError = h('p', { class: 'field-error', id: 'berichten-email-error' });
  const radio = (value: BerichtenInstelling['frequentie'], label: string) =>
    h(
      'div',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: 'frequentie',
        id: `berichten-${value}`,
        value,
        checked: value === 'dagelijks',
      }),
      h('label', { for: `berichten-${value}` }, label),
    );
  // The organisations to choose from: those the citizen's timeline shows (public names only; the page
  // never names an organisation whose access is hidden from them), and any their setting already names.
  const afnemers = [...new Map(seen.map((o) => [o.oin, o])).values()].sort((a, b) =>
    a.naam.localeCompare(b.naam, 'nl'),
  );
  const choice = (o: { oin: string; naam: string }, checked = false) =>
    h(
      'div',
      { class: 'choice' },
      h('input', { type: 'checkbox', name: 'organisaties', id: `berichten-org-${o.oin}`, value: o.oin, checked }),
      h('label', { for: `berichten-org-${o.oin}` }, o.naam),
    );
  const boxes = afnemers.map((o) => choice(o));
  const which = h(
    'fieldset',
    { 'aria-describedby': 'berichten-which-hint', hidden: afnemers.length === 0 },
    h('legend', {}, TEXTS.berichtenWhich),
    h('p', { class: 'hint', id: 'berichten-which-hint' }, TEXTS.berichtenWhichHint),
    boxes,
  );
  const state = h('div', { id: 'berichten-state', role: 'status' });
  const save = h('button', { type: 'submit', class: 'primary' }, TEXTS.berichtenSave);
  const stop = h('button', { type: 'button', class: 'secondary' }, TEXTS.berichtenStop);
  const form = h(
    'form',
    { class: 'berichten', 'aria-labelledby': 'berichten-title', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: email.id }, TEXTS.berichtenEmail), email, emailError),
    h(
      'fieldset',
      {},
      h('legend', {}, TEXTS.berichtenHowOften),
      radio('dagelijks', TEXTS.berichtenDaily),
      radio('wekelijks', TEXTS.berichtenWeekly),
    ),
    which,
    h('div', { class: 'actions' }, save, stop),
  );
  const fill = (parts: readonly BerichtenAtGateway[]) => {
    const kept = parts.find((p) => p.state === 'ok' && p.instelling)?.instelling;
    if (!kept) return;
    email.value = kept.email;
    for (const input of form.querySelectorAll<HTMLInputElement>('input[name=frequentie]')) {
      input.checked = input.value === kept.frequentie;
    }
    for (const input of form.querySelectorAll<HTMLInputElement>('input[name=organisaties]')) {
      input.checked = kept.organisaties?.includes(input.value) ?? false;
    }
    const shown = new Set(afnemers.map((o) => o.oin));
    for (const oin of kept.organisaties ?? []) {
      if (shown.has(oin)) continue;
      const naam = directory.organisations.find((o) => o.oin === oin)?.name ?? oin;
      which.append(choice({ oin, naam }, true));
      which.hidden = false;
    }
  };
  const act = async (work: () => Promise<readonly BerichtenAtGateway[]>, done: string) => {
    save.disabled = stop.disabled = true;
    try {
      show(state, outcome(await work(), done));
    } catch {
      show(state, h('p', { class: 'warning' }, TEXTS.unexpected));
    } finally {
      save.disabled = stop.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const valid = email.checkValidity() && email.value.includes('.');
    emailError.textContent = valid ? '' : TEXTS.berichtenInvalidEmail;
    email.setAttribute('aria-invalid', String(!valid));
    if (!valid) {
      email.focus();
      return;
    }
    const data = new FormData(form);
    const organisaties = data.getAll('organisaties').map(String);
    const instelling: BerichtenInstelling = {
      email: email.value.trim(),
      frequentie: data.get('frequentie') === 'wekelijks' ? 'wekelijks' : 'dagelijks',
      ...(organisaties.length > 0 ? { organisaties } : {}),
    };
    void act(() => client.set(instelling), TEXTS.berichtenSaved);
  });
  stop.addEventListener('click', () => void act(() => client.stop(), TEXTS.berichtenStopped));
  void client
    .get()
    .then((parts) => {
      fill(parts);
      show(state, outcome(parts));
      // No gateway sends e-mail: nothing to set, so no form to fill in.
      form.hidden = parts.every((p) => p.state === 'unavailable');
    })
    .catch(() => show(state, h('p', { class: 'warning' }, TEXTS.unexpected)));
  return [h('p', {}, TEXTS.berichtenIntro), state, form];
}
