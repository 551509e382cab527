import { projectPerson } from '@poortwachter/gateway';
import { nameServerSpan } from '@poortwachter/operations';
import {
  BRP_FIELD_CATALOGUE,
  brpFieldPaths,
  brpSearchTypes,
  createBrpValidator,
  isBrpAutomaticPath,
  type Persoon,
} from '@poortwachter/seeds';
import { type Context, Hono } from 'hono';
import { findPersonen, leeftijd, type PersonenQuery } from './search.ts';

interface InvalidParam {
  type: string;
  name: string;
  code: string;
  reason: string;
}

const PROBLEM = {
  paramsValidation: [400, 'Een of meerdere parameters zijn niet correct.'],
  tooManyResults: [400, 'Te veel zoekresultaten.'],
  notAcceptable: [406, 'Gevraagde contenttype wordt niet ondersteund.'],
  unsupportedMediaType: [415, 'Media Type wordt niet ondersteund.'],
  notFound: [404, 'Opgevraagde resource bestaat niet.'],
  serverError: [500, 'Interne server fout.'],
} as const;

function problem(c: Context, code: keyof typeof PROBLEM, detail: string, invalidParams?: InvalidParam[]) {
  const [status, title] = PROBLEM[code];
  return c.body(
    JSON.stringify({
      type: `https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.${status === 400 ? 1 : status === 406 ? 6 : status === 415 ? 13 : 4}`,
      title,
      status,
      detail,
      instance: new URL(c.req.url).pathname,
      code,
      ...(invalidParams ? { invalidParams } : {}),
    }),
    status,
    { 'content-type': 'application/problem+json' },
  );
}

const param = (name: string, code: string, reason: string): InvalidParam => ({
  type: `https://www.vng.nl/realisatie/api/validaties/${code.toLowerCase()}`,
  name,
  code,
  reason,
});

/** ajv's `/fields/2` → BRP's `fields[2]`. */
const paramName = (path: string, missing?: unknown) =>
  [...path.split('/').slice(1), ...(missing ? [String(missing)] : [])].reduce(
    (name, s) => (/^\d+$/.test(s) ? `${name}[${s}]` : name ? `${name}.${s}` : s),
    '',
  ) || 'body';

export interface BrpSourceOptions {
  readonly personen: readonly Persoon[];
  /** The current date, for `leeftijd` (tests pin it). */
  readonly today?: () => Date;
}

/**
 * An example BRP API Personen 2.x source: `POST /personen` over the seeded persons, with the spec's
 * validation, `fields` projection and errors. Not the product; the gateway works in front of any
 * source of the protocol.
 *
 * @example
 * const app = createBrpSourceApp({ personen: loadPersonen() });
 */
export function createBrpSourceApp(options: BrpSourceOptions) {
  const validator = createBrpValidator();
  const fullPaths = brpFieldPaths('Persoon');
  // Searches return a limited person (PersoonBeperkt); only raadplegen by BSN returns everything.
  const limitedPaths = brpFieldPaths('PersoonBeperkt');
  const gezagLimitedPaths = brpFieldPaths('GezagPersoonBeperkt');
  const pathsFor = (type: string) =>
    type === 'RaadpleegMetBurgerservicenummer'
      ? fullPaths
      : type === 'ZoekMetAdresseerbaarObjectIdentificatie'
        ? gezagLimitedPaths
        : limitedPaths;
  const today = options.today ?? (() => new Date());
  const searchTypes = brpSearchTypes();
  // The BRP delivers these unasked, each where it applies (its rules are the catalogue's), and refuses them in `fields`.
  const automaticFields = BRP_FIELD_CATALOGUE.filter((f) => f.automatic);

  const app = new Hono();
  app.onError((error, c) => {
    console.error('brp-source: unexpected error', error);
    return problem(c, 'serverError', 'Er is een onverwachte fout opgetreden.');
  });
  app.notFound((c) => problem(c, 'notFound', 'Deze resource bestaat niet.'));
  app.use(nameServerSpan);
  app.get('/healthz', (c) => c.json({ status: 'ok', personen: options.personen.length }));
  // Nothing to wait for once listening: ready as soon as alive (the image's HEALTHCHECK asks every role /readyz).
  app.get('/readyz', (c) => c.json({ status: 'ok' }));

  app.post('/personen', async (c) => {
    const accept = c.req.header('accept');
    if (accept && !/(\*\/\*|application\/\*|application\/json)/i.test(accept)) {
      return problem(c, 'notAcceptable', 'Alleen application/json wordt ondersteund.');
    }
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return problem(c, 'unsupportedMediaType', 'Stuur de vraag als application/json.');
    }
    let query: PersonenQuery;
    try {
      query = (await c.req.json()) as PersonenQuery;
    } catch {
      return problem(c, 'paramsValidation', 'De vraag is geen geldige JSON.', [
        param('body', 'json', 'Geen geldige JSON.'),
      ]);
    }
    const result = validator.validate('PersonenQuery', query);
    if (!result.valid) {
      const invalid = result.errors
        .filter((e) => e.keyword !== 'if' && e.keyword !== 'enum')
        .map((e) =>
          param(paramName(e.instancePath, e.params.missingProperty), e.keyword, e.message ?? 'Waarde is ongeldig.'),
        );
      const typeError = result.errors.find((e) => e.keyword === 'enum' && e.instancePath === '/type');
      if (typeError) invalid.push(param('type', 'value', `Onbekende zoekvraag ${String(query.type)}.`));
      return problem(c, 'paramsValidation', 'Een of meerdere parameters zijn niet correct.', invalid);
    }
    const allowed = new Set(['type', 'fields', ...(searchTypes.get(query.type)?.parameters ?? [])]);
    const unknown = Object.keys(query).filter((key) => !allowed.has(key));
    const paths = pathsFor(query.type);
    const badFields = query.fields.flatMap((path, index) =>
      !paths.has(path)
        ? [param(`fields[${index}]`, 'fields', 'Parameter bevat een niet bestaande veldnaam.')]
        : isBrpAutomaticPath(path)
          ? [param(`fields[${index}]`, 'fields', 'Parameter bevat een niet toegestane veldnaam.')]
          : [],
    );
    if (unknown.length > 0 || badFields.length > 0) {
      return problem(c, 'paramsValidation', 'Een of meerdere parameters zijn niet correct.', [
        ...unknown.map((name) => param(name, 'unknownParam', 'Parameter is niet verwacht.')),
        ...badFields,
      ]);
    }
    const found = findPersonen(options.personen, query);
    if (query.type !== 'RaadpleegMetBurgerservicenummer' && found.length > 10) {
      return problem(
        c,
        'tooManyResults',
        `Er zijn ${found.length} personen gevonden, meer dan 10. Verfijn de zoekvraag.`,
      );
    }
    const now = today();
    const personen = found.map((persoon) => {
      const age = leeftijd(persoon, now);
      return projectPerson(age === undefined ? persoon : { ...persoon, leeftijd: age }, query.fields, automaticFields)
        .value;
    });
    return c.json({ type: query.type, personen });
  });
  return app;
}
