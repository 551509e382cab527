import type { InvalidParam } from '@poortwachter/protocol';
import { GatewayRefusal, invalidParamType, isBsn, schemaInvalidParams } from '@poortwachter/protocol';
import { brpFieldPaths, brpSearchTypes, createBrpValidator, isBrpAutomaticPath } from '@poortwachter/seeds';
import { nestsDeeperThan } from '../../protocol/json-depth.ts';

/** A `POST /personen` body that passed the spec: its search type, its fields and its parameters. */
export type PersonenQuery = Record<string, unknown> & { readonly type: string; readonly fields: string[] };

/** Refuses bytes that are not UTF-8; `decode` without `stream` keeps no state, so one serves every call. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How deep a query body may nest: the deepest valid BRP query is 3 levels (an array in an object). */
const MAX_DEPTH = 8;

const param = (name: string, code: string, reason: string): InvalidParam => ({
  type: invalidParamType(code),
  name,
  code,
  reason,
});

const refuse = (invalidParams: InvalidParam[]) =>
  new GatewayRefusal(
    'invalidRequest',
    `De foutieve parameter(s) zijn ${[...new Set(invalidParams.map((p) => p.name))].join(', ')}.`,
    { invalidParams },
  );

/**
 * The BRP API Personen 2.x query as its OpenAPI spec defines it, checked before anything else is
 * decided: the search type must be one of the spec's, every member must be one that type knows
 * (`unknownParam` otherwise), each value must match its schema (patterns, types, limits), every
 * `fields` path must exist in the person the type returns (`Persoon` or a limited one), none may be
 * a field the source delivers automatically, and every BSN must pass the elfproef. All problems are
 * named at once, in the BRP API's own codes and Dutch reasons.
 *
 * @example
 * const query = brpQuery().parse(new TextEncoder().encode('{"type":"RaadpleegMetBurgerservicenummer",…}'));
 */
export function brpQuery() {
  const validator = createBrpValidator();
  const searchTypes = brpSearchTypes();
  const pathsBySchema = new Map<string, Set<string>>();
  for (const t of searchTypes.values()) {
    if (!pathsBySchema.has(t.personSchema)) pathsBySchema.set(t.personSchema, brpFieldPaths(t.personSchema));
  }
  const pathsOf = (schema: string) => pathsBySchema.get(schema) ?? new Set<string>();
  // The members each search type knows, made once.
  const knownBy = new Map([...searchTypes].map(([name, t]) => [name, new Set(['type', 'fields', ...t.parameters])]));

  return {
    /** The search types of the spec, with their parameters. */
    searchTypes,

    /** Parses and checks a body; a 400 naming every problem otherwise. */
    parse(body: Uint8Array): PersonenQuery {
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(body));
      } catch (cause) {
        throw new GatewayRefusal('invalidRequest', 'De body is geen geldige JSON.', {
          cause,
          invalidParams: [param('body', 'json', 'De body is geen geldige JSON.')],
        });
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw refuse([param('body', 'object', 'De body moet een JSON object zijn.')]);
      }
      if (nestsDeeperThan(value, MAX_DEPTH)) {
        throw refuse([param('body', 'depth', `De body is dieper genest dan ${MAX_DEPTH} niveaus.`)]);
      }
      const query = value as Record<string, unknown>;
      const type = query.type;
      if (type === undefined) throw refuse([param('type', 'required', 'Parameter is verplicht.')]);
      const searchType = typeof type === 'string' ? searchTypes.get(type) : undefined;
      if (!searchType) throw refuse([param('type', 'value', 'Waarde is geen geldig zoek type.')]);

      const known = knownBy.get(type as string) ?? new Set();
      const problems: InvalidParam[] = Object.keys(query)
        .filter((member) => !known.has(member))
        .map((member) => param(member, 'unknownParam', 'Parameter is niet verwacht.'));
      const checked = validator.validate(type as string, query);
      if (!checked.valid) problems.push(...schemaInvalidParams(checked.errors));

      const named = new Set(problems.map((p) => p.name));
      if (Array.isArray(query.fields)) {
        const paths = pathsOf(searchType.personSchema);
        query.fields.forEach((path, index) => {
          const name = `fields[${index}]`;
          if (typeof path !== 'string' || named.has(name)) return;
          if (!paths.has(path)) problems.push(param(name, 'fields', 'Parameter bevat een niet bestaande veldnaam.'));
          else if (isBrpAutomaticPath(path)) {
            problems.push(param(name, 'fields', 'Parameter bevat een niet toegestane veldnaam.'));
          }
        });
      }
      if (Array.isArray(query.burgerservicenummer)) {
        query.burgerservicenummer.forEach((bsn, index) => {
          const name = `burgerservicenummer[${index}]`;
          if (typeof bsn === 'string' && /^[0-9]{9}$/.test(bsn) && !isBsn(bsn) && !named.has(name)) {
            problems.push(param(name, 'elfproef', 'Waarde is geen burgerservicenummer, de elfproef klopt niet.'));
          }
        });
      }
      if (problems.length > 0) throw refuse(problems);
      return query as PersonenQuery;
    },
  };
}

export type BrpQuery = ReturnType<typeof brpQuery>;
