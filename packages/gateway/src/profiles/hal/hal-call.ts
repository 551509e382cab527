import type { InvalidParam, OperationParameter, Service, ServiceOperation } from '@poortwachter/protocol';
import { GatewayRefusal, invalidParamType, isBsn } from '@poortwachter/protocol';
import { nestsDeeperThan } from '../../protocol/json-depth.ts';
import type { ResolvedCall } from '../profile.ts';
import { inCatalogue } from './resource-paths.ts';

/** What a request to a `haal-centraal-hal` service is, before anything is decided. */
export interface HalRequest {
  readonly method: string;
  /** The path as it came (percent-encoded), below the inway's root. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  readonly body: Uint8Array;
}

/** The longest query string accepted: a BRK query is well under 200 characters. */
const MAX_QUERY = 2048;
/** How deep a body may nest: a BsnBody is flat. */
const MAX_DEPTH = 4;
/** Names the Haal Centraal profile gives itself in every query. */
const FIELDS = 'fields';
const EXPAND = 'expand';

const param = (name: string, code: string, reason: string): InvalidParam => ({
  type: invalidParamType(code),
  name,
  code,
  reason,
});

const refuse = (problems: readonly InvalidParam[]) =>
  new GatewayRefusal(
    'invalidRequest',
    `De foutieve parameter(s) zijn ${[...new Set(problems.map((p) => p.name))].join(', ')}.`,
    { invalidParams: [...problems] },
  );

/** The operation whose method and path template match, with its path parameters (decoded). */
function matchOperation(service: Service, method: string, rawPath: string) {
  const segments = rawPath.replace(/\/+$/, '').split('/').slice(1);
  let pathMatched = false;
  for (const operation of service.description?.operations ?? []) {
    const template = operation.path.split('/').slice(1);
    if (template.length !== segments.length) continue;
    const values: Record<string, string> = {};
    const fits = template.every((part, i) => {
      const segment = segments[i] as string;
      const name = /^\{([A-Za-z0-9_]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segment;
      values[name] = segment;
      return true;
    });
    if (!fits) continue;
    pathMatched = true;
    if (operation.method === method) return { operation, values };
  }
  throw new GatewayRefusal(
    'operationNotFound',
    pathMatched ? `Er is geen ${method} op dit pad.` : 'Deze dienst kent dit pad niet.',
  );
}

/** The parameter given in this call that the API takes no `expand` beside (`withoutExpand`), if any. */
export function withoutExpand(
  operation: ServiceOperation,
  parameters: Readonly<Record<string, string>>,
): OperationParameter | undefined {
  return operation.parameters.find((p) => p.withoutExpand && parameters[p.name] !== undefined);
}

/** A value as its parameter allows it: its pattern (a path parameter must have one), else refused. */
function checkValue(parameter: OperationParameter, value: string, name: string): InvalidParam | undefined {
  if (parameter.pattern !== undefined && !new RegExp(parameter.pattern).test(value)) {
    return param(name, 'pattern', 'Waarde voldoet niet aan het patroon.');
  }
  if (parameter.in === 'path' && parameter.pattern === undefined) {
    return param(name, 'pattern', 'Het register geeft voor deze parameter geen patroon.');
  }
  if (parameter.subjectType === 'BSN' && !isBsn(value)) {
    return param(name, 'elfproef', 'Waarde is geen burgerservicenummer, de elfproef klopt niet.');
  }
  return undefined;
}

/** A comma-separated list (`fields`, `expand`) as its items; an empty item is refused. */
function listOf(value: string, name: string, problems: InvalidParam[]): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(item))) {
    problems.push(param(name, name, 'Parameter bevat een ongeldige naam.'));
    return [];
  }
  return items;
}

function decodeSegment(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw refuse([param(name, 'pattern', 'Waarde is geen geldige tekst.')]);
  }
}

/**
 * Reads a call to a `haal-centraal-hal` service by its description: the operation (method and path
 * template; an undeclared one is a 404), its path, query and body parameters, each known to the
 * operation, given once and matching its pattern (a 400 naming every problem otherwise), and the
 * Haal Centraal `fields` and `expand` as catalogue paths and relations. Path values are decoded and
 * checked against their pattern before anything else sees them, so a `%2F` or `..` cannot traverse.
 */
export function parseHalCall(service: Service, request: HalRequest): ResolvedCall {
  if (request.query.length > MAX_QUERY) {
    throw refuse([param('query', 'maxLength', `De query is langer dan ${MAX_QUERY} tekens.`)]);
  }
  const { operation, values: rawValues } = matchOperation(service, request.method, request.path);
  const problems: InvalidParam[] = [];
  const parameters: Record<string, string> = {};
  const byName = new Map(operation.parameters.map((p) => [p.name, p]));

  for (const [name, raw] of Object.entries(rawValues)) {
    const parameter = byName.get(name);
    const value = decodeSegment(raw, name);
    const problem = parameter
      ? checkValue(parameter, value, name)
      : param(name, 'unknownParam', 'Parameter is niet verwacht.');
    if (problem) problems.push(problem);
    else parameters[name] = value;
  }
  let fields: string[] | undefined;
  let expand: string[] = [];
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(request.query)) {
    if (seen.has(name)) {
      problems.push(param(name, 'repeated', 'Geef deze parameter een keer.'));
      continue;
    }
    seen.add(name);
    if (name === FIELDS) fields = listOf(value, FIELDS, problems);
    else if (name === EXPAND) expand = listOf(value, EXPAND, problems);
    else {
      const parameter = byName.get(name);
      if (parameter?.in !== 'query') {
        problems.push(param(name.slice(0, 30), 'unknownParam', 'Parameter is niet verwacht.'));
        continue;
      }
      const problem = checkValue(parameter, value, name);
      if (problem) problems.push(problem);
      else parameters[name] = value;
    }
  }
  const body = readBodyParameters(operation, request, byName, problems);
  if (body.fields !== undefined) {
    if (fields !== undefined) problems.push(param(FIELDS, 'repeated', 'Geef deze parameter een keer.'));
    fields = listOf(body.fields, FIELDS, problems);
  }
  Object.assign(parameters, body.parameters);
  for (const parameter of operation.parameters) {
    if (
      parameter.required &&
      parameters[parameter.name] === undefined &&
      !problems.some((p) => p.name === parameter.name)
    ) {
      problems.push(param(parameter.name, 'required', 'Parameter is verplicht.'));
    }
  }
  const alone = withoutExpand(operation, parameters);
  if (alone && expand.length > 0) {
    problems.push(param(EXPAND, EXPAND, `Deze vraag kent geen expand naast ${alone.name}.`));
  }
  if (problems.length > 0) throw refuse(problems);
  return {
    operation,
    parameters,
    fields: fields?.map((path) => inCatalogue(operation.resource, path)),
    expand,
  };
}

/** A POST's JSON body: an object of the operation's body parameters (strings), and `fields`. */
function readBodyParameters(
  operation: ServiceOperation,
  request: HalRequest,
  byName: ReadonlyMap<string, OperationParameter>,
  problems: InvalidParam[],
): { parameters: Record<string, string>; fields?: string } {
  if (operation.method !== 'POST') {
    if (request.body.byteLength > 0) problems.push(param('body', 'body', 'Deze vraag heeft geen body.'));
    return { parameters: {} };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
  } catch {
    throw refuse([param('body', 'json', 'De body is geen geldige JSON.')]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw refuse([param('body', 'object', 'De body moet een JSON object zijn.')]);
  }
  if (nestsDeeperThan(value, MAX_DEPTH)) {
    throw refuse([param('body', 'depth', `De body is dieper genest dan ${MAX_DEPTH} niveaus.`)]);
  }
  const parameters: Record<string, string> = {};
  let fields: string | undefined;
  for (const [name, member] of Object.entries(value)) {
    const parameter = byName.get(name);
    if (name === FIELDS && typeof member === 'string') fields = member;
    else if (parameter?.in !== 'body')
      problems.push(param(name.slice(0, 30), 'unknownParam', 'Parameter is niet verwacht.'));
    else if (typeof member !== 'string') problems.push(param(name, 'string', 'Waarde is geen tekst.'));
    else {
      const problem = checkValue(parameter, member, name);
      if (problem) problems.push(problem);
      else parameters[name] = member;
    }
  }
  return fields === undefined ? { parameters } : { parameters, fields };
}
