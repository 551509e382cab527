import type { ServiceDescription, ServiceOperation } from '@poortwachter/protocol';
import { formatTraceparent, GatewayRefusal } from '@poortwachter/protocol';
import type { Grant, HalAnswer, RequestTrace, Subject } from '../../pipeline/context.ts';
import { jsonBodyOf, type SourceCall, type SourcePost, type SourceResponse } from '../../pipeline/source-client.ts';
import { isObject } from '../../protocol/project-fields.ts';
import type { ResolvedCall } from '../profile.ts';
import { withoutExpand } from './hal-call.ts';
import { subjectsOf, unique } from './hal-subjects.ts';
import { operationById } from './resource-paths.ts';

export interface HalSourceOptions {
  readonly post: SourcePost;
  /** The source's base URL (`http://127.0.0.1:8308`). */
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Turns a failed call into the gateway's refusal (timeout, unreachable, too large). */
  readonly failed: (cause: unknown) => GatewayRefusal;
}

interface CallContext {
  readonly trace: RequestTrace;
  readonly transactionId: string;
  readonly spanId: string;
}

/** The source request of an operation: the path template filled (values were checked against their patterns), its query and body. */
function requestOf(
  operation: ServiceOperation,
  parameters: Readonly<Record<string, string>>,
  expand: readonly string[],
): { path: string; body: string } {
  const path = operation.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) =>
    encodeURIComponent(parameters[name] ?? ''),
  );
  const query = new URLSearchParams();
  const body: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    const value = parameters[parameter.name];
    if (value === undefined) continue;
    if (parameter.in === 'query') query.set(parameter.name, value);
    if (parameter.in === 'body') body[parameter.name] = value;
  }
  if (expand.length > 0) query.set('expand', expand.join(','));
  const search = query.toString();
  return { path: search ? `${path}?${search}` : path, body: operation.method === 'POST' ? JSON.stringify(body) : '' };
}

/**
 * Reads a described service's answer. Nothing of a source's own text reaches the afnemer: a 404 is the
 * gateway's own "not found", a 400 names only the afnemer's own parameters, anything else is a 502
 * naming the status. A 200 must be a JSON object, with the collection's items as a list of objects.
 */
function readHalAnswer(res: SourceResponse, operation: ServiceOperation, call: ResolvedCall): HalAnswer['items'] {
  const body = jsonBodyOf(res);
  if (res.status === 200 && isObject(body)) {
    if (operation.items === undefined) return [body];
    const embedded = isObject(body._embedded) ? body._embedded[operation.items] : [];
    if (embedded === undefined) return [];
    if (Array.isArray(embedded) && embedded.every(isObject)) return embedded;
  }
  if (res.status === 200) {
    throw new GatewayRefusal(
      'sourceInvalidAnswer',
      'De bron gaf een antwoord dat niet aan het protocol voldoet. Er is niets vrijgegeven.',
    );
  }
  if (res.status === 404) throw new GatewayRefusal('resourceNotFound', 'De bron kent deze resource niet.');
  if (res.status === 400) {
    const own = new Set([...Object.keys(call.parameters), 'fields', 'expand']);
    const named = (isObject(body) && Array.isArray(body.invalidParams) ? body.invalidParams : [])
      .filter(isObject)
      .filter((p) => typeof p.name === 'string' && own.has(p.name))
      .slice(0, 20)
      .map((p) => ({ name: p.name as string, code: 'invalid', reason: 'De bron keurde deze parameter af.' }));
    throw new GatewayRefusal('sourceRefused', 'De bron weigerde de vraag als ongeldig.', {
      ...(named.length > 0 ? { invalidParams: named } : {}),
    });
  }
  throw new GatewayRefusal('sourceError', `De bron gaf een fout (status ${res.status}). Er is niets vrijgegeven.`);
}

/**
 * Sends an authorised call to a described service's source: the operation's path with its path
 * parameters, its query parameters, the relations the caller expanded plus those the gateway needs to
 * see the subjects (`subjectExpand`; minimisation removes what was not asked), and for an answer that
 * does not show its subjects, the `subjectsFrom` operation's answer too, before anything is released.
 */
export function createHalForwarder(options: HalSourceOptions) {
  const base = options.url.replace(/\/+$/, '');
  const send = async (
    operation: ServiceOperation,
    call: ResolvedCall,
    expand: readonly string[],
    context: CallContext,
  ): Promise<readonly Record<string, unknown>[]> => {
    const { path, body } = requestOf(operation, call.parameters, expand);
    const request: SourceCall = {
      method: operation.method,
      url: `${base}${path}`,
      headers: {
        accept: 'application/hal+json, application/json',
        ...(operation.method === 'POST' ? { 'content-type': 'application/json' } : {}),
        traceparent: formatTraceparent(context.trace.traceId, context.spanId, context.trace.sampled),
        ...(context.trace.tracestate ? { tracestate: context.trace.tracestate } : {}),
        'fsc-transaction-id': context.transactionId,
      },
      body,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
    };
    let res: SourceResponse;
    try {
      res = await options.post(request);
    } catch (cause) {
      throw options.failed(cause);
    }
    return readHalAnswer(res, operation, call);
  };

  return async (grant: Grant, context: CallContext): Promise<HalAnswer> => {
    const { call, service } = grant;
    const description = service.description as ServiceDescription;
    if (!call) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const { operation } = call;
    // A parameter the API takes no expand beside names the subjects itself (`withoutExpand`, `subjectType`).
    const alone = withoutExpand(operation, call.parameters) !== undefined;
    const expand = alone ? [] : [...new Set([...(grant.expanded?.keys() ?? []), ...(operation.subjectExpand ?? [])])];
    const items = await send(operation, call, expand, context);
    let subjects: Subject[] = [];
    if (operation.subjectsFrom !== undefined) {
      const lookup = operationById(description, operation.subjectsFrom);
      if (!lookup) throw new GatewayRefusal('internal', 'De beschrijving van de dienst is niet volledig.');
      const owners = await send(lookup, call, lookup.subjectExpand ?? [], context);
      subjects = unique(owners.flatMap((item) => subjectsOf(item, lookup.resource, description)));
    }
    return { items, collection: operation.items !== undefined, sourceBase: base, subjects };
  };
}
