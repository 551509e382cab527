import { nameServerSpan } from '@poortwachter/operations';
import { type BrkFixtures, type BrkResource, brkFieldPaths, createBrkValidator } from '@poortwachter/seeds';
import { type Context, Hono } from 'hono';
import { hal, type LinkBases, projected } from './hal.ts';
import { commaList, queryParameters, readQuery } from './parameters.ts';
import { BrkProblem, type InvalidParam, invalidParam } from './problem.ts';
import { categoryOf, findZaken, zakenOfBsn } from './search.ts';

export interface BrkSourceOptions {
  readonly fixtures: BrkFixtures;
  /** This source's public URL (`http://localhost:8308`): every `href` and problem `instance` starts with it. */
  readonly publicUrl: string;
  /** The BRP API's URL, for the links to persons with a BSN (default `http://localhost:8301`, the example BRP source). */
  readonly brpUrl?: string;
}

type Json = Record<string, unknown>;
/** What `expand` asked for: per relation, the fields of it (empty: all of them). */
type Expand = Map<string, string[]>;

const HAL_HEADERS = { 'content-type': 'application/hal+json', 'api-version': '2.0.0' };
const byId = <T extends BrkResource>(list: readonly T[] | undefined, id: string) =>
  (list ?? []).find((item) => item.identificatie === id);
const withoutGerechtigden = ({ zakelijkGerechtigdeIdentificaties: _, ...zaak }: BrkResource) => zaak as BrkResource;

/**
 * An example Kadaster BRK bevragen 2.0 source over the fixtures of `seeds/brk`: the spec's operations on
 * kadastraal onroerende zaken, zakelijk gerechtigden, hypotheken, beslagen and Kadaster persons, in
 * `application/hal+json` with `_links` and `_embedded`, `fields` and `expand`, and the spec's problems.
 * What each operation accepts is read from the spec. Not the product: the gateway works in front of it.
 *
 * @example
 * const app = createBrkSourceApp({ fixtures: loadBrkFixtures(), publicUrl: 'http://localhost:8308' });
 */
export function createBrkSourceApp(options: BrkSourceOptions) {
  const brk = options.fixtures;
  const validator = createBrkValidator();
  const strip = (url: string) => url.replace(/\/+$/, '');
  const bases: LinkBases = {
    publicUrl: strip(options.publicUrl),
    brpUrl: strip(options.brpUrl ?? 'http://localhost:8301'),
  };
  const fieldPaths = {
    zaak: brkFieldPaths('KadastraalOnroerendeZaak'),
    gerechtigde: brkFieldPaths('ZakelijkGerechtigde'),
    hypotheek: brkFieldPaths('Hypotheek'),
    beslag: brkFieldPaths('Beslag'),
    natuurlijk: brkFieldPaths('KadasterNatuurlijkPersoon'),
    nietNatuurlijk: brkFieldPaths('KadasterNietNatuurlijkPersoon'),
  };
  const declared = new Map(
    Object.values(validator.spec.paths)
      .flatMap((methods) => Object.values(methods))
      .map((op) => [op.operationId ?? '', queryParameters(validator.spec, op)] as const),
  );
  const instanceOf = (c: Context) => {
    const url = new URL(c.req.url);
    return `${bases.publicUrl}${url.pathname}${url.search}`;
  };

  /** `fields` checked against the resource's schema: a name the schema lacks is a 400 naming `fields`. */
  const fieldsOf = (raw: string | undefined, paths: ReadonlySet<string>, errors: InvalidParam[]): string[] => {
    const list = commaList('fields', raw);
    errors.push(...list.errors);
    const unknown = list.items.filter((path) => !paths.has(path));
    for (const path of unknown) {
      errors.push(invalidParam('fields', 'fields', `Parameter bevat een niet bestaande veldnaam: ${path}.`));
    }
    return list.items;
  };
  /** `expand=zakelijkGerechtigden` or `expand=zakelijkGerechtigden.tenaamstelling,…`, checked the same way. */
  const expandOf = (raw: string | undefined, errors: InvalidParam[], allowed: boolean): Expand => {
    const expand: Expand = new Map();
    const list = commaList('expand', raw);
    errors.push(...list.errors);
    for (const item of list.items) {
      const [relation = '', ...rest] = item.split('.');
      const path = rest.join('.');
      if (relation !== 'zakelijkGerechtigden' && relation !== 'privaatrechtelijkeBeperkingen') {
        errors.push(invalidParam('expand', 'expand', `Parameter bevat een niet bestaande resource: ${relation}.`));
      } else if (!allowed && relation === 'zakelijkGerechtigden') {
        errors.push(
          invalidParam('expand', 'expand', 'zakelijkGerechtigden kan bij deze zoekvraag niet worden meegeladen.'),
        );
      } else if (path && (relation !== 'zakelijkGerechtigden' || !fieldPaths.gerechtigde.has(path))) {
        errors.push(invalidParam('expand', 'expand', `Parameter bevat een niet bestaande veldnaam: ${item}.`));
      } else {
        const fields = expand.get(relation) ?? [];
        // One `expand` of the whole relation wins over its single fields.
        expand.set(relation, path && (fields.length > 0 || !expand.has(relation)) ? [...fields, path] : []);
      }
    }
    return expand;
  };
  /** The query of a request for an operation: every error at once, as one 400. */
  const query = (c: Context, operationId: string, served: readonly string[]) => {
    const accept = c.req.header('accept');
    if (accept && !/(\*\/\*|application\/\*|application\/hal\+json|application\/json)/i.test(accept)) {
      throw new BrkProblem('notAcceptable', 'Deze bron levert alleen application/hal+json.');
    }
    return readQuery(new URL(c.req.url).searchParams, declared.get(operationId) ?? new Map(), new Set(served));
  };
  const refuse = (errors: InvalidParam[]) => {
    if (errors.length > 0)
      throw new BrkProblem('paramsValidation', 'Een of meerdere parameters zijn niet correct.', errors);
  };
  const answer = (c: Context, body: Json) => c.body(JSON.stringify(body), 200, HAL_HEADERS);
  const notFound = (what: string): never => {
    throw new BrkProblem('notFound', `De gevraagde ${what} bestaat niet.`);
  };
  const zaakOr404 = (id: string) => byId(brk.kadastraalOnroerendeZaken, id) ?? notFound('kadastraal onroerende zaak');

  const gerechtigdeHal = (zaakId: string, g: BrkResource, fields: readonly string[]) =>
    hal.zakelijkGerechtigde(zaakId, g, projected(g, fields), bases);
  const zaakHal = (zaak: BrkResource, fields: readonly string[], expand: Expand) => {
    const body = hal.kadastraalOnroerendeZaak(zaak, projected(zaak, fields), bases);
    if (expand.size === 0) return body;
    const embedded: Json = {};
    const gerechtigdenFields = expand.get('zakelijkGerechtigden');
    if (gerechtigdenFields) {
      embedded.zakelijkGerechtigden = (brk.zakelijkGerechtigden[zaak.identificatie] ?? []).map((g) =>
        gerechtigdeHal(zaak.identificatie, g, gerechtigdenFields),
      );
    }
    // This example registers no privaatrechtelijke beperkingen: asked for, the list is empty.
    if (expand.has('privaatrechtelijkeBeperkingen')) embedded.privaatrechtelijkeBeperkingen = [];
    return { ...body, _embedded: embedded };
  };
  const zakenCollection = (c: Context, zaken: readonly BrkResource[], fields: readonly string[], expand: Expand) => ({
    _links: { self: { href: instanceOf(c) } },
    _embedded: { kadastraalOnroerendeZaken: zaken.map((z) => zaakHal(z, fields, expand)) },
  });

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof BrkProblem) return error.toResponse(instanceOf(c));
    console.error('brk-source: unexpected error', error);
    return new BrkProblem('serverError', 'Er is een onverwachte fout opgetreden.').toResponse(instanceOf(c));
  });
  app.notFound((c) => new BrkProblem('notFound', 'Deze resource bestaat niet.').toResponse(instanceOf(c)));
  app.use(nameServerSpan);
  app.get('/healthz', (c) => c.json({ status: 'ok', kadastraalOnroerendeZaken: brk.kadastraalOnroerendeZaken.length }));
  // Nothing to wait for once listening: ready as soon as alive (the image's HEALTHCHECK asks every role /readyz).
  app.get('/readyz', (c) => c.json({ status: 'ok' }));

  app.get('/kadastraalonroerendezaken', (c) => {
    const searchParameters = ['kadastraleAanduiding', 'persoon__identificatie', 'postcode', 'huisnummer'];
    const served = [...searchParameters, 'huisletter', 'huisnummertoevoeging', 'nummeraanduidingIdentificatie'];
    const { values, errors } = query(c, 'GetKadastraalOnroerendeZaken', [...served, 'fields', 'expand']);
    refuse(errors);
    const category = categoryOf(values);
    // The spec: searching by persoon__identificatie tells nothing of the zaak's zakelijk gerechtigden.
    const byPersoon = category === 'persoon';
    const fields = fieldsOf(values.get('fields'), fieldPaths.zaak, errors);
    const expand = expandOf(values.get('expand'), errors, !byPersoon);
    refuse(errors);
    const zaken = findZaken(brk, category, values);
    return answer(c, zakenCollection(c, byPersoon ? zaken.map(withoutGerechtigden) : zaken, fields, expand));
  });

  app.post('/kadastraalonroerendezaken', async (c) => {
    const { errors } = query(c, 'ZoekKadastraalOnroerendeZakenMetBsn', []);
    refuse(errors);
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new BrkProblem('unsupportedMediaType', 'Stuur de vraag als application/json.');
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new BrkProblem('paramsValidation', 'De vraag is geen geldige JSON.', [
        invalidParam('body', 'json', 'Geen geldige JSON.'),
      ]);
    }
    const valid = validator.validate('BsnBody', body);
    if (!valid.valid) {
      refuse(
        valid.errors.map((e) => {
          const name = e.instancePath.slice(1) || String(e.params.missingProperty ?? 'body');
          return invalidParam(name, e.keyword, e.message ?? 'Waarde is ongeldig.');
        }),
      );
    }
    const bsnBody = body as { burgerservicenummer: string; fields?: string } & Json;
    for (const key of Object.keys(bsnBody).filter((k) => k !== 'burgerservicenummer' && k !== 'fields')) {
      errors.push(invalidParam(key, 'unknownParam', 'Parameter is niet verwacht.'));
    }
    if (!/^[0-9]{9}$/.test(bsnBody.burgerservicenummer)) {
      errors.push(invalidParam('burgerservicenummer', 'pattern', 'Waarde is geen geldig burgerservicenummer.'));
    }
    const fields = fieldsOf(bsnBody.fields, fieldPaths.zaak, errors);
    refuse(errors);
    const zaken = zakenOfBsn(brk, bsnBody.burgerservicenummer).map(withoutGerechtigden);
    return answer(c, zakenCollection(c, zaken, fields, new Map()));
  });

  app.get('/kadastraalonroerendezaken/:zaak', (c) => {
    const { values, errors } = query(c, 'GetKadastraalOnroerendeZaak', ['fields', 'expand']);
    const fields = fieldsOf(values.get('fields'), fieldPaths.zaak, errors);
    const expand = expandOf(values.get('expand'), errors, true);
    refuse(errors);
    return answer(c, zaakHal(zaakOr404(c.req.param('zaak')), fields, expand));
  });

  app.get('/kadastraalonroerendezaken/:zaak/zakelijkgerechtigden', (c) => {
    const { values, errors } = query(c, 'GetZakelijkGerechtigden', ['fields', 'type']);
    const fields = fieldsOf(values.get('fields'), fieldPaths.gerechtigde, errors);
    refuse(errors);
    const zaak = zaakOr404(c.req.param('zaak'));
    const type = values.get('type');
    const list = (brk.zakelijkGerechtigden[zaak.identificatie] ?? []).filter((g) => !type || g.type === type);
    return answer(c, {
      _links: { self: { href: instanceOf(c) } },
      _embedded: { zakelijkGerechtigden: list.map((g) => gerechtigdeHal(zaak.identificatie, g, fields)) },
      ...(zaak.gesplitstZakelijkRecht ? { gesplitstZakelijkRecht: zaak.gesplitstZakelijkRecht } : {}),
    });
  });

  app.get('/kadastraalonroerendezaken/:zaak/zakelijkgerechtigden/:id', (c) => {
    const { values, errors } = query(c, 'GetZakelijkGerechtigde', ['fields']);
    const fields = fieldsOf(values.get('fields'), fieldPaths.gerechtigde, errors);
    refuse(errors);
    const zaak = zaakOr404(c.req.param('zaak'));
    const g = byId(brk.zakelijkGerechtigden[zaak.identificatie], c.req.param('id')) ?? notFound('zakelijk gerechtigde');
    return answer(c, gerechtigdeHal(zaak.identificatie, g, fields));
  });

  for (const kind of ['hypotheken', 'beslagen'] as const) {
    const one = kind === 'hypotheken' ? 'hypotheek' : 'beslag';
    const [listOp, oneOp] =
      kind === 'hypotheken'
        ? ['GetHypothekenKadastraalOnroerendeZaak', 'GetHypotheek']
        : ['GetBeslagenKadastraalOnroerendeZaak', 'GetBeslag'];
    const paths = fieldPaths[one];
    const represent = (zaakId: string, item: BrkResource, fields: readonly string[]) =>
      hal[one](zaakId, item, projected(item, fields), bases);
    app.get(`/kadastraalonroerendezaken/:zaak/${kind}`, (c) => {
      const { values, errors } = query(c, listOp, ['fields']);
      const fields = fieldsOf(values.get('fields'), paths, errors);
      refuse(errors);
      const zaak = zaakOr404(c.req.param('zaak'));
      const items = brk[kind][zaak.identificatie] ?? [];
      return answer(c, {
        _links: { self: { href: instanceOf(c) } },
        _embedded: { [kind]: items.map((item) => represent(zaak.identificatie, item, fields)) },
      });
    });
    app.get(`/kadastraalonroerendezaken/:zaak/${kind}/:id`, (c) => {
      const { values, errors } = query(c, oneOp, ['fields']);
      const fields = fieldsOf(values.get('fields'), paths, errors);
      refuse(errors);
      const zaak = zaakOr404(c.req.param('zaak'));
      const item = byId(brk[kind][zaak.identificatie], c.req.param('id')) ?? notFound(one);
      return answer(c, represent(zaak.identificatie, item, fields));
    });
  }

  const kadasterPersons = [
    ['kadasternatuurlijkpersonen', 'GetKadasterPersoon', brk.kadasterNatuurlijkPersonen, fieldPaths.natuurlijk],
    [
      'kadasternietnatuurlijkpersonen',
      'GetKadasterNietNatuurlijkPersoon',
      brk.kadasterNietNatuurlijkPersonen,
      fieldPaths.nietNatuurlijk,
    ],
  ] as const;
  for (const [path, operationId, persons, paths] of kadasterPersons) {
    app.get(`/${path}/:id`, (c) => {
      const { values, errors } = query(c, operationId, ['fields']);
      const fields = fieldsOf(values.get('fields'), paths, errors);
      refuse(errors);
      const persoon = byId(persons, c.req.param('id')) ?? notFound('Kadaster persoon');
      return answer(c, hal.kadasterPersoon(path, persoon, projected(persoon, fields), bases));
    });
  }
  return app;
}
