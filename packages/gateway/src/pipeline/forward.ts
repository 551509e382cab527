import { trace } from '@opentelemetry/api';
import { formatTraceparent, GatewayRefusal, newSpanId } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import { createHalForwarder } from '../profiles/hal/hal-source.ts';
import { isObject, valuesAt } from '../protocol/project-fields.ts';
import type { GatewayEnv, Grant, RequestTrace, SourceAnswer } from './context.ts';
import {
  fetchSourceClient,
  nodeSourceClient,
  SourceCallError,
  type SourceResponse,
  type SourceTls,
} from './source-client.ts';
import { ownSpanId } from './trace-context.ts';

export interface SourceOptions {
  /** Base URL of the source (`http://localhost:8301`); a BRP gateway posts to `<url>/personen`, a described service's calls its operations' paths below it. */
  readonly url: string;
  /** Give up on the source after this many ms (default 5000): 504. */
  readonly timeoutMs?: number;
  /** Largest answer accepted from the source, in bytes (default 16 MiB); a larger one is a 502. */
  readonly maxResponseBytes?: number;
  /** For an `https:` source: the CA bundle to trust and the client certificate for mutual TLS. */
  readonly tls?: SourceTls;
  /** Call the source through this `fetch` instead of the gateway's keep-alive HTTP client (tests). */
  readonly fetch?: typeof globalThis.fetch;
}

/** The response fields the source must include for logging, even when the caller did not ask for them. */
function subjectFields(dataSubjectPaths: readonly string[]): string[] {
  return dataSubjectPaths.map((p) => p.split('.').slice(1).join('.')).filter(Boolean);
}

/** Sends an authorised query to the source; one per gateway, so its connections are reused. */
export type SourceForwarder = (
  grant: Grant,
  context: { trace: RequestTrace; transactionId: string; spanId: string },
) => Promise<SourceAnswer>;

/**
 * Sends the authorised query to the source with a timeout. The fields are the caller's, plus the
 * data-subject id paths (so every released person can be logged); minimisation removes the extras.
 * A source that is down, slow, answers garbage or too much is refused as 502/504; nothing is released.
 */
export function createSourceForwarder(source: SourceOptions): SourceForwarder {
  const post = source.fetch ? fetchSourceClient(source.fetch) : nodeSourceClient(source.tls ? { tls: source.tls } : {});
  const url = `${source.url.replace(/\/+$/, '')}/personen`;
  const timeoutMs = source.timeoutMs ?? 5000;
  const maxResponseBytes = source.maxResponseBytes ?? 16 * 1024 * 1024;
  const failed = (cause: unknown) => {
    if (cause instanceof SourceCallError && cause.kind === 'timeout') {
      return new GatewayRefusal('sourceTimeout', `De bron antwoordde niet binnen ${timeoutMs} ms.`, { cause });
    }
    const detail =
      cause instanceof SourceCallError && cause.kind === 'tooLarge'
        ? `Het antwoord van de bron is groter dan ${maxResponseBytes} bytes.`
        : 'De bron is niet bereikbaar.';
    return new GatewayRefusal('sourceUnreachable', detail, { cause });
  };
  const hal = createHalForwarder({ post, url: source.url, timeoutMs, maxResponseBytes, failed });
  return async (grant, context) => {
    if (grant.call) return { type: grant.searchType, personen: [], hal: await hal(grant, context) };
    const idPaths = subjectFields(grant.service.dataSubjectPaths);
    const fields = [...new Set([...grant.query.fields, ...idPaths])];
    let res: SourceResponse;
    try {
      res = await post({
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
        timeoutMs,
        maxResponseBytes,
      });
    } catch (cause) {
      throw failed(cause);
    }
    return readAnswer(res, grant, idPaths);
  };
}

/** The stage that sends the authorised query to the source and keeps its (checked) answer for `minimise`. */
export function forward(source: SourceOptions) {
  const send = createSourceForwarder(source);
  const sourceHost = new URL(source.url).host;
  return createMiddleware<GatewayEnv>(async function forward(c, next) {
    const grant = c.get('grant');
    if (!grant) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
    const requestTrace = c.get('trace');
    const active = trace.getActiveSpan();
    const spanId = (active && ownSpanId(active, requestTrace.spanId)) ?? newSpanId();
    active?.setAttribute('server.address', sourceHost);
    c.set('sourceSpanId', spanId);
    c.set('answer', await send(grant, { trace: requestTrace, transactionId: c.get('transactionId'), spanId }));
    await next();
  });
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

const isJson = (contentType: string | undefined) => /^application\/([a-z.+-]*\+)?json\b/i.test(contentType ?? '');

/**
 * Reads what the source answered. Nothing of a source's own text ever reaches the afnemer: a source
 * that refuses the query becomes the gateway's own problem (its code when it is one of the BRP's, the
 * names of the afnemer's own parameters it points at, with our reasons), any other failure a 502 that
 * names only the status. A 200 must be JSON with the query's type and a list of persons that each carry
 * a data-subject id (BSN), or nothing is released: a person without one could not be logged.
 */
function readAnswer(res: SourceResponse, grant: Grant, idPaths: readonly string[]): SourceAnswer {
  let body: unknown;
  try {
    body = isJson(res.contentType) ? JSON.parse(res.text) : undefined;
  } catch {
    body = undefined;
  }
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
