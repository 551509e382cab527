/**
 * "Berichten": the citizen asks the bronhouders to send an e-mail when their data was used. The
 * settings live at each bronhouder's inway (`/inzage/v1/berichten`, README: Notices), by the
 * pseudonym of the BSN in the token: this page sends them to every gateway in the directory with the
 * token it holds, as it asks them for the timeline. A gateway without a mail server answers 503; the
 * page names it instead of pretending. Its texts (B1) are in berichten-texts.ts.
 */
import type { DirectorySnapshot } from '@poortwachter/protocol';
import { BERICHTEN_TEXTS } from './berichten-texts.ts';
import { h } from './dom.ts';

/** What the inway keeps: `/inzage/v1/berichten`'s body. */
interface Berichten {
  readonly email: string;
  readonly frequentie: 'dagelijks' | 'wekelijks';
  readonly organisaties?: readonly string[];
}

/** One bronhouder's gateway, as the directory lists it. */
interface Gateway {
  readonly url: string;
  readonly name: string;
}

export interface BerichtenOptions {
  readonly token: string;
  readonly directory: DirectorySnapshot;
  readonly fetch?: typeof globalThis.fetch;
}

/** Every gateway of an active service, once, with its bronhouder's name. */
function gatewaysOf(directory: DirectorySnapshot): Gateway[] {
  const byUrl = new Map<string, Gateway>();
  for (const service of directory.services) {
    if (service.revokedAt !== null) continue;
    const name = directory.organisations.find((o) => o.oin === service.providerOin)?.name ?? service.name;
    byUrl.set(service.gatewayUrl.replace(/\/+$/, ''), { url: service.gatewayUrl.replace(/\/+$/, ''), name });
  }
  return [...byUrl.values()];
}

/**
 * The section: what the citizen has set now (read from each gateway), and a form to set or stop it
 * at every gateway that sends e-mail. The organisations to choose from are the directory's afnemers.
 */
export function berichtenSection(options: BerichtenOptions): HTMLElement {
  const fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const { directory } = options;
  const gateways = gatewaysOf(directory);
  const providers = new Set(directory.services.map((s) => s.providerOin));
  const organisations = directory.organisations
    .filter((o) => o.revokedAt === null && !providers.has(o.oin))
    .sort((a, b) => a.name.localeCompare(b.name, 'nl'));
  const T = BERICHTEN_TEXTS;
  const call = (gateway: Gateway, method: 'GET' | 'PUT' | 'DELETE', body?: Berichten) =>
    fetch(`${gateway.url}/inzage/v1/berichten`, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  const state = h('p', { id: 'berichten-state' });
  const message = h('p', { id: 'berichten-message', role: 'status', 'aria-live': 'polite' });
  const email = h('input', {
    type: 'email',
    id: 'berichten-email',
    name: 'email',
    autocomplete: 'email',
    required: true,
    'aria-describedby': 'berichten-email-error',
  });
  const emailError = h('p', { id: 'berichten-email-error', class: 'field-error' });
  const radio = (value: string, label: string, checked: boolean) =>
    h(
      'div',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'frequentie', id: `berichten-${value}`, value, checked }),
      h('label', { for: `berichten-${value}` }, label),
    );
  const scope = (value: string, label: string, checked: boolean) =>
    h(
      'div',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'scope', id: `berichten-scope-${value}`, value, checked }),
      h('label', { for: `berichten-scope-${value}` }, label),
    );
  const boxes = organisations.map((o) =>
    h(
      'div',
      { class: 'choice' },
      h('input', { type: 'checkbox', name: 'organisaties', id: `berichten-org-${o.oin}`, value: o.oin }),
      h('label', { for: `berichten-org-${o.oin}` }, o.name),
    ),
  );
  const save = h('button', { type: 'submit', class: 'primary', id: 'berichten-save' }, T.save);
  const stop = h('button', { type: 'button', class: 'secondary', id: 'berichten-stop' }, T.stop);
  const form = h(
    'form',
    { id: 'berichten-form', novalidate: true },
    h('div', {}, h('label', { for: 'berichten-email' }, T.email), email, emailError),
    h(
      'fieldset',
      {},
      h('legend', {}, T.frequency),
      radio('dagelijks', T.daily, true),
      radio('wekelijks', T.weekly, false),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, T.filter),
      scope('alle', T.filterAll, true),
      scope('sommige', T.filterSome, false),
      h('div', { class: 'organisations', id: 'berichten-organisations' }, boxes),
    ),
    h('div', { class: 'actions' }, save, stop),
  );
  const checked = (name: string) =>
    [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)].filter((i) => i.checked).map((i) => i.value);

  /** Sends one change to every gateway; says where it worked, where no mail is sent and where it failed. */
  const everywhere = async (method: 'PUT' | 'DELETE', body?: Berichten) => {
    const noMail: string[] = [];
    const failed: string[] = [];
    await Promise.all(
      gateways.map(async (gateway) => {
        try {
          const res = await call(gateway, method, body);
          if (res.status === 503) noMail.push(gateway.name);
          else if (!res.ok && !(method === 'DELETE' && res.status === 404)) failed.push(gateway.name);
        } catch {
          failed.push(gateway.name);
        }
      }),
    );
    return { noMail, failed };
  };
  const report = (done: string, result: { noMail: string[]; failed: string[] }) => {
    message.textContent = [
      result.failed.length > 0 ? T.failed(result.failed.join(', ')) : done,
      result.noMail.length > 0 ? T.noMail(result.noMail.join(', ')) : '',
    ]
      .filter(Boolean)
      .join(' ');
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    emailError.textContent = '';
    email.removeAttribute('aria-invalid');
    if (!email.checkValidity() || !email.value.includes('.')) {
      emailError.textContent = T.invalidEmail;
      email.setAttribute('aria-invalid', 'true');
      email.focus();
      return;
    }
    const some = checked('scope')[0] === 'sommige';
    const chosen = checked('organisaties');
    if (some && chosen.length === 0) {
      message.textContent = T.pickOne;
      return;
    }
    const body: Berichten = {
      email: email.value.trim(),
      frequentie: checked('frequentie')[0] === 'wekelijks' ? 'wekelijks' : 'dagelijks',
      ...(some ? { organisaties: chosen } : {}),
    };
    save.disabled = true;
    message.textContent = T.saving;
    try {
      const result = await everywhere('PUT', body);
      report(T.saved, result);
      if (result.failed.length === 0) state.textContent = T.current(body.email);
    } finally {
      save.disabled = false;
    }
  });
  stop.addEventListener('click', async () => {
    stop.disabled = true;
    try {
      report(T.stopped, await everywhere('DELETE'));
      state.textContent = T.none;
    } finally {
      stop.disabled = false;
    }
  });

  // What is set now: the first gateway that keeps settings for this citizen fills the form.
  void (async () => {
    for (const gateway of gateways) {
      const res = await call(gateway, 'GET').catch(() => undefined);
      if (res?.status !== 200) continue;
      const current = (await res.json()) as Berichten;
      email.value = current.email;
      form.querySelector<HTMLInputElement>(`#berichten-${current.frequentie}`)?.click();
      if (current.organisaties) {
        form.querySelector<HTMLInputElement>('#berichten-scope-sommige')?.click();
        for (const oin of current.organisaties) {
          const box = form.querySelector<HTMLInputElement>(`#berichten-org-${oin}`);
          if (box) box.checked = true;
        }
      }
      state.textContent = T.current(current.email);
      return;
    }
    state.textContent = T.none;
  })();

  const section = h(
    'section',
    { class: 'berichten', id: 'berichten', 'aria-labelledby': 'berichten-title' },
    h('h2', { id: 'berichten-title' }, T.title),
    h('p', {}, T.intro),
    state,
    form,
    message,
  );
  return section;
}
