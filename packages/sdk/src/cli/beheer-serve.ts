import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTRACT_TIME_ZONE, type DirectorySnapshot, readPeriod } from '@poortwachter/protocol';
import { createContractClient } from '../contract-client.ts';
import { fetchDirectory } from '../directory-client.ts';
import { createOutwayAdminClient, type OutwayApplication } from '../outway-admin-client.ts';
import { isSdkError } from '../sdk-error.ts';
import { createTerugmeldingClient } from '../terugmelding-client.ts';
import { BEHEER_PAGE_CSS, beheerPage, type PageNotice } from './beheer-page.ts';
import { isUitkomst, meldingForm, type ServiceMeldingen } from './beheer-terugmeldingen.ts';
import { organisationWithKey, registryOptions, runCommand } from './common.ts';
import type { ValuesOf } from './definitions.ts';
import { pagePort, sendPage, serveLocalPage } from './local-page.ts';

/** The largest form the page accepts (a proposal with every field of a catalogue stays far below). */
const MAX_FORM_BYTES = 64 * 1024;

const DONE: Record<string, string> = {
  accept: 'U hebt akkoord gegeven. Het contract geldt zodra alle partijen akkoord hebben gegeven.',
  reject: 'U hebt het voorstel afgewezen. De andere partij ziet uw reden.',
  revoke:
    'U hebt het contract ingetrokken. Binnen één verversing van het register laten de gateways het niet meer toe.',
  propose: 'Uw voorstel is verstuurd. De bronhouder ziet het nu bij zijn voorstellen.',
  intrekken: 'U hebt de applicatie ingetrokken. Binnen 5 seconden weigert de outway haar API-sleutel.',
  behandel: 'De terugmelding is in behandeling. De melder ziet dat nu.',
  afhandel: 'De terugmelding is afgehandeld. De melder ziet de uitkomst en uw bericht.',
};

/** The forms of the page and where each posts. */
const FORMS = ['/ondertekenen', '/voorstellen', '/applicaties', '/applicaties/intrekken', '/terugmeldingen/status'];

/** Why a form was refused, shown on the page with the values typed in it. */
class FormProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The body of a form post, whole, or a FormProblem when it is too large or not a form. */
async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new FormProblem(415, 'Stuur het formulier van deze pagina.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormProblem(413, 'Het formulier is te groot.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Whether a post comes from this page itself: the browser says same-origin (Sec-Fetch-Site, which no
 * page can set; its Origin is `null` here, as the page sends no referrer), or, from a client that does
 * not send Sec-Fetch-Site, any Origin it names is this server's own. A form on another page, even one
 * on this machine at another port (same-site), cannot make this process sign.
 */
export function fromThisPage(headers: IncomingMessage['headers']): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return headers.origin === undefined || headers.origin === `http://${headers.host}`;
}

/** One value of a form, given once; `required` names it when it is empty. */
function field(form: URLSearchParams, name: string, label: string, required = true): string {
  const all = form.getAll(name);
  if (all.length > 1) throw new FormProblem(400, `${label}: geef dit één keer.`);
  const value = (all[0] ?? '').trim();
  if (required && value === '') throw new FormProblem(400, `${label}: vul dit in.`);
  return value;
}

/**
 * `poortwachter beheer serve --oin OIN [--key FILE] [--port 8309] [--outway URL]`: the organisation's
 * management page on this machine. Every signature is made here, with the key file this process holds;
 * the browser gets HTML only, and its forms post back here (same origin only). With `--outway` (or
 * OUTWAY_ADMIN_URL) the page also lists, registers and revokes the applications of that outway.
 */
export async function beheerServeCommand(values: ValuesOf<'beheer serve'>): Promise<number> {
  return runCommand(async () => {
    const { port, source } = pagePort(values.port, 8309);
    const registry = registryOptions(values);
    const { organisation, privateKey } = organisationWithKey(
      await fetchDirectory(registry),
      values.oin,
      values.key,
      undefined,
      '--oin',
    );
    const outwayUrl = values.outway || process.env.OUTWAY_ADMIN_URL || undefined;
    const outway = outwayUrl ? createOutwayAdminClient({ outwayUrl, privateKey }) : undefined;

    /** The outway's applications, or why they cannot be shown (the rest of the page still works). */
    async function outwayApplications(): Promise<{ applications?: OutwayApplication[]; problem?: string }> {
      if (!outway) return {};
      try {
        return { applications: await outway.list() };
      } catch (error) {
        if (!isSdkError(error)) throw error;
        return { problem: `De applicaties van uw outway konden niet worden opgehaald: ${error.message}` };
      }
    }

    /** The meldingen of each of the organisation's services that take them (none: no section). */
    async function terugmeldingen(directory: DirectorySnapshot): Promise<{ terugmeldingen?: ServiceMeldingen[] }> {
      const services = directory.services.filter(
        (s) => s.revokedAt === null && s.betrokkene && s.providerOin === organisation.oin,
      );
      if (services.length === 0) return {};
      const client = createTerugmeldingClient({ oin: organisation.oin, privateKey, directory, ...registry });
      return {
        terugmeldingen: await Promise.all(
          services.map(async (s) => {
            try {
              return { service: s.id, serviceName: s.name, meldingen: await client.list({ service: s.id }) };
            } catch (error) {
              if (!isSdkError(error)) throw error;
              return {
                service: s.id,
                serviceName: s.name,
                problem: `De terugmeldingen konden niet worden opgehaald: ${error.message}`,
              };
            }
          }),
        ),
      };
    }

    async function render(res: ServerResponse, status: number, notice?: PageNotice) {
      // A fresh directory and list for every page: a change at the registry shows at once.
      const directory = await fetchDirectory(registry);
      const contracts = await createContractClient({
        oin: organisation.oin,
        privateKey,
        directory,
        ...registry,
      }).list();
      const current = directory.organisations.find((o) => o.oin === organisation.oin) ?? organisation;
      const applications = outway ? { outway: { url: outwayUrl ?? '', ...(await outwayApplications()) } } : {};
      sendPage(
        res,
        status,
        'text/html; charset=utf-8',
        beheerPage({
          organisation: current,
          directory,
          contracts,
          ...applications,
          ...(await terugmeldingen(directory)),
          ...(notice ? { notice } : {}),
        }),
      );
    }

    /** Registers or revokes an application at the outway; a registration's key is shown once, on this answer. */
    async function actAtOutway(path: string, form: URLSearchParams): Promise<string | PageNotice> {
      if (!outway) throw new FormProblem(404, 'Deze pagina beheert geen outway (start haar met --outway).');
      if (path === '/applicaties/intrekken') {
        const id = field(form, 'id', 'Applicatie');
        if (field(form, 'bevestig', 'Bevestiging', false) !== 'ja')
          throw new FormProblem(400, 'Bevestig dat u de applicatie wilt intrekken: vink het vakje aan.');
        await outway.revoke(id);
        return 'intrekken';
      }
      const name = field(form, 'naam', 'Naam van de applicatie');
      const activities = form.getAll('activiteiten').filter(Boolean);
      if (activities.length === 0) throw new FormProblem(400, 'Verwerkingsactiviteiten: kies er minstens één.');
      // One activity is also the default: the application need not name it in every query.
      const registered = await outway.register({
        name,
        processingActivities: activities,
        ...(activities.length === 1 && activities[0] ? { defaultProcessingActivity: activities[0] } : {}),
      });
      return {
        kind: 'done',
        message: `De applicatie ${registered.name} is geregistreerd.`,
        apiKey: registered.apiKey,
      };
    }

    /** Takes a melding in hand, or closes it with its outcome and a message for the melder. */
    async function handleMelding(form: URLSearchParams): Promise<string> {
      const service = field(form, 'dienst', 'Dienst');
      const id = field(form, 'id', 'Terugmelding');
      const action = field(form, 'actie', 'Actie');
      const directory = await fetchDirectory(registry);
      const meldingen = createTerugmeldingClient({ oin: organisation.oin, privateKey, directory, ...registry });
      if (action === 'behandel') {
        await meldingen.setStatus(service, id, { status: 'In behandeling' });
        return action;
      }
      if (action !== 'afhandel') throw new FormProblem(400, 'Actie: kies in behandeling nemen of afhandelen.');
      const uitkomst = field(form, 'uitkomst', 'Uitkomst');
      if (!isUitkomst(uitkomst)) throw new FormProblem(400, 'Uitkomst: kies er een uit de lijst.');
      const bericht = field(form, 'bericht', 'Bericht aan de melder');
      await meldingen.setStatus(service, id, { status: 'Afgehandeld', uitkomst, bericht });
      return action;
    }

    async function act(path: string, form: URLSearchParams): Promise<string | PageNotice> {
      if (path.startsWith('/applicaties')) return actAtOutway(path, form);
      if (path === '/terugmeldingen/status') return handleMelding(form);
      const directory = await fetchDirectory(registry);
      const client = createContractClient({ oin: organisation.oin, privateKey, directory, ...registry });
      if (path === '/ondertekenen') {
        const hash = field(form, 'hash', 'Contract');
        const action = field(form, 'actie', 'Actie');
        const reason = field(form, 'reden', 'Reden', action !== 'accept');
        if (action === 'accept') await client.accept(hash);
        else if (action === 'reject' || action === 'revoke') await client[action](hash, reason);
        else throw new FormProblem(400, 'Actie: kies accepteren, afwijzen of intrekken.');
        return action;
      }
      const until = field(form, 'tot', 'Geldig tot en met');
      // A day in Amsterdam, as the page shows it: through 23:59:59 there.
      const period = readPeriod(undefined, until, CONTRACT_TIME_ZONE);
      if (period.problems.length > 0 || period.to === undefined)
        throw new FormProblem(400, 'Geldig tot en met: geef een datum die bestaat, zoals 2027-12-31.');
      if (period.to <= Date.now()) throw new FormProblem(400, 'Geldig tot en met: die datum is al voorbij.');
      const list = (name: string, label: string, separator: RegExp) => {
        const items = field(form, name, label)
          .split(separator)
          .map((x) => x.trim())
          .filter(Boolean);
        if (items.length === 0) throw new FormProblem(400, `${label}: vul minstens één in.`);
        return items;
      };
      await client.propose({
        serviceId: field(form, 'dienst', 'Welke dienst'),
        processingActivityId: field(form, 'activiteit', 'Verwerkingsactiviteit'),
        grondslagId: field(form, 'grondslag', 'Grondslag'),
        fields: list('gegevens', 'Welke gegevens', /[\s,]+/),
        searchTypes: list('zoekvragen', 'Welke zoekvragen', /[\s,]+/),
        notAfter: new Date(period.to - 1000),
      });
      return 'propose';
    }

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      if (req.method === 'POST' && FORMS.includes(path)) {
        if (!fromThisPage(req.headers)) {
          return sendPage(res, 403, 'text/plain; charset=utf-8', 'Alleen de formulieren van deze pagina zelf.\n');
        }
        let form = new URLSearchParams();
        try {
          form = await formOf(req);
          const done = await act(path, form);
          // A new application's API key is on this answer only: never in a URL, never again.
          if (typeof done !== 'string') return render(res, 200, done);
          return sendPage(res, 303, 'text/plain; charset=utf-8', 'Gedaan.\n', { location: `/?gedaan=${done}#melding` });
        } catch (error) {
          const formName =
            path === '/voorstellen'
              ? 'voorstel'
              : path === '/applicaties'
                ? 'applicatie'
                : path === '/applicaties/intrekken'
                  ? `intrekken-${form.get('id') ?? ''}`
                  : path === '/terugmeldingen/status'
                    ? meldingForm(form.get('id') ?? '')
                    : (form.get('hash') ?? '');
          const values = Object.fromEntries(form);
          if (error instanceof FormProblem) {
            return render(res, error.status, { kind: 'error', message: error.message, form: formName, values });
          }
          if (!isSdkError(error)) throw error;
          return render(res, error.problem?.status && error.problem.status < 500 ? error.problem.status : 502, {
            kind: 'error',
            message: `Niet gelukt: ${error.message}`,
            details: (error.problem?.invalidParams ?? []).map((p) => `${p.name}: ${p.reason}`),
            form: formName,
            values,
          });
        }
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendPage(res, 405, 'text/plain; charset=utf-8', 'GET, or POST from the page.\n', { allow: 'GET, POST' });
      if (path === '/healthz') return sendPage(res, 200, 'application/json', '{"status":"ok"}');
      if (path === '/style.css') return sendPage(res, 200, 'text/css; charset=utf-8', BEHEER_PAGE_CSS);
      if (path !== '/') return sendPage(res, 404, 'text/plain; charset=utf-8', 'Niet gevonden.\n');
      const done = DONE[url.searchParams.get('gedaan') ?? ''];
      return render(res, 200, done ? { kind: 'done', message: done } : undefined);
    };

    await serveLocalPage({
      port,
      source,
      what: `management page for ${organisation.name} (${organisation.oin})`,
      handle,
    });
    return 0;
  });
}
