import { formatTraceparent, GatewayRefusal } from '@poortwachter/protocol';
import type { Grant, RequestTrace, SourceAnswer } from '../../pipeline/context.ts';
import { jsonBodyOf, type SourcePost, type SourceResponse } from '../../pipeline/source-client.ts';
import { isObject, valuesAt } from '../../protocol/project-fields.ts';

/** How the BRP profile reaches its source: the gateway's client and limits. */
export interface BrpSourceOptions {
  readonly post: SourcePost;
  /** The source's base URL; the query goes to `<url>/personen`. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Turns a failed call into the gateway's refusal (timeout, unreachable, too large). */
  readonly failed: (cause: unknown) => GatewayRefusal;
}

/** The response fields the source must include for logging, even when the caller did not ask for them. */
function subjectFields(dataSubjectPaths: readonly string[]): string[] {
  return dataSubjectPaths.map((p) => p.split('.').slice(1).join('.')).filter(Boolean);
}

/**
 * The BRP profile's source call: `POST /personen` with the caller's query, its fields plus the
 * data-subject id paths (so every released person can be logged; minimisation removes the extras).
 */
export function createBrpForwarder(options: BrpSourceOptions) {
  const url = `${options.url.replace(/\/+$/, '')}/personen`;
  return async (
    grant: Grant,
    context: { trace: RequestTrace; transactionId: string; spanId: string },
  ): Promise<SourceAnswer> => {
    const idPaths = subjectFields(grant.service.dataSubjectPaths);
    const fields = [...new Set([...grant.query.fields, ...idPaths])];
    let res: SourceResponse;
    try {
      res = await options.post({
        url,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          // The span that calls the source: the source's own log names it as parent, our records name it.
          traceparent: formatTraceparent(context.trace.traceId, context.spanId, context.trace.sampled),
          ...(context.trace.tracestate ? { tracestate: context.trace.tracestate } : {}),
          'fsc-transaction-id': context.transactionId,
        },
        body: JSON.stringify({ ...grant.query, fields }),
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
      });
    } catch (cause) {
      throw options.failed(cause);
    }
    return readAnswer(res, grant, idPaths);
  };
}

/** Problem codes of the BRP API that may name a parameter of the afnemer's own query. */
const PARAMETER_CODES = new Set([
  'required',
  'pattern',
  'fields',
  'unknownParam',
  'integer',
  'boolean',
  'date',
  'array',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'value',
]);

/**
 * Reads what the source answered. Nothing of a source's own text ever reaches the afnemer: a source
 * that refuses the query becomes the gateway's own problem (its code when it is one of the BRP's, the
 * names of the afnemer's own parameters it points at, with our reasons), any other failure a 502 that
 * names only the status. A 200 must be JSON with the query's type and a list of persons that each carry
 * a data-subject id (BSN), or nothing is released: a person without one could not be logged.
 */
function readAnswer(res: SourceResponse, grant: Grant, idPaths: readonly string[]): SourceAnswer {
  const body = jsonBodyOf(res);
  if (res.status === 200) {
    const personen = isObject(body) ? body.personen : undefined;
    const valid =
      isObject(body) &&
      body.type === grant.query.type &&
      Array.isArray(personen) &&
      personen.every(
        (p) =>
          isObject(p) &&
          idPaths.every((path) => valuesAt(p, path).some((v) => typeof v === 'string' && /^[0-9]{9}$/.test(v))),
      );
    if (!valid) {
      throw new GatewayRefusal(
        'sourceInvalidAnswer',
        'De bron gaf een antwoord dat niet aan het protocol voldoet. Er is niets vrijgegeven.',
      );
    }
    return { type: grant.query.type, personen: personen as Record<string, unknown>[] };
  }
  const code = isObject(body) ? body.code : undefined;
  if (res.status === 400 && code === 'tooManyResults') {
    throw new GatewayRefusal('tooManyResults', 'Er zijn meer dan 10 personen gevonden. Verfijn de zoekvraag.');
  }
  if (res.status === 400) {
    // Only names of the afnemer's own parameters survive, with our reason: a name the source made up, or
    // any text it sent, could carry personal data.
    const own = new Set([...Object.keys(grant.query), ...grant.query.fields.map((_f, i) => `fields[${i}]`)]);
    const named = (isObject(body) && Array.isArray(body.invalidParams) ? body.invalidParams : [])
      .filter(isObject)
      .filter((p) => typeof p.name === 'string' && own.has(p.name))
      .slice(0, 20)
      .map((p) => ({
        name: p.name as string,
        code: typeof p.code === 'string' && PARAMETER_CODES.has(p.code) ? p.code : 'invalid',
        reason: 'De bron keurde deze parameter af.',
      }));
    throw new GatewayRefusal('sourceRefused', 'De bron weigerde de vraag als ongeldig.', {
      ...(named.length > 0 ? { invalidParams: named } : {}),
    });
  }
  throw new GatewayRefusal('sourceError', `De bron gaf een fout (status ${res.status}). Er is niets vrijgegeven.`);
}
