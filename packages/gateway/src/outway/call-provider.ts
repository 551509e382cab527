import { trace as otelTrace } from '@opentelemetry/api';
import {
  EVIDENCE_RESPONSE_HEADERS,
  type ExchangeEvidence,
  escapeControlCharacters,
  formatTraceparent,
  GatewayRefusal,
  HttpSignatureError,
  parseTraceparent,
  signRequest,
  verifyExchange,
} from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { JWK } from 'jose';
import { SourceCallError, type SourcePost } from '../pipeline/source-client.ts';
import { ownSpanId } from '../pipeline/trace-context.ts';
import type { OutwayEnv } from './context.ts';

export interface CallProviderOptions {
  /** The afnemer's private key, registered in the directory: applications never hold it. */
  readonly privateKey: JWK;
  /** The HTTP client to the providers' inways (keep-alive). */
  readonly post: SourcePost;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly now: () => number;
}

/** One decoder for every call: `decode` of a whole body keeps no state between calls. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Signs the application's body unchanged (RFC 9421, with Content-Digest, Fsc-Transaction-Id,
 * Processing-Activity and our span in `traceparent`, `tracestate` passed on) and sends it to the
 * provider's inway from the directory; then verifies that the provider signed this answer to this
 * request (`;req`) and that the body is the one it signed. Anything else is refused (502) and
 * nothing of it reaches the application.
 */
export const callProvider = (options: CallProviderOptions) =>
  createMiddleware<OutwayEnv>(async function callProvider(c, next) {
    const grant = c.get('outwayGrant');
    if (!grant) throw new GatewayRefusal('internal', 'De stappen van de outway liepen niet in volgorde.');
    const { provider, service } = grant;
    let body: string;
    // A GET carries no body (the call's parser refused one); its signature covers the empty body's digest.
    try {
      body = utf8.decode(c.get('body'));
    } catch {
      throw new GatewayRefusal('invalidRequest', 'De body is geen geldige UTF-8.', {
        invalidParams: [{ name: 'body', code: 'encoding', reason: 'Stuur JSON in UTF8.' }],
      });
    }
    const trace = c.get('trace');
    const url = `${service.gatewayUrl.replace(/\/+$/, '')}${grant.target}`;
    const method = c.req.method === 'GET' ? 'GET' : 'POST';
    const request = await signRequest({
      url,
      body,
      method,
      privateKey: options.privateKey,
      processingActivity: grant.processingActivity,
      transactionId: c.get('transactionId'),
      // The span that calls the provider (without an SDK: the request's), so the inway's spans hang under it.
      traceparent: formatTraceparent(trace.traceId, providerSpanId(trace.spanId), trace.sampled),
    });
    const tracestate = trace.tracestate;
    let res: Awaited<ReturnType<SourcePost>>;
    try {
      res = await options.post({
        method,
        url,
        headers: { ...request.headers, ...(tracestate ? { tracestate } : {}) },
        body: request.body,
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
      });
    } catch (cause) {
      const why =
        cause instanceof SourceCallError && cause.kind === 'timeout'
          ? `antwoordde niet binnen ${options.timeoutMs} ms`
          : cause instanceof SourceCallError && cause.kind === 'tooLarge'
            ? `stuurde een antwoord groter dan ${options.maxResponseBytes} bytes`
            : 'is niet bereikbaar';
      throw new GatewayRefusal(
        'providerUnreachable',
        `De gateway van ${provider.name} (${service.gatewayUrl}) ${why}.`,
        {
          cause,
        },
      );
    }
    const evidence: ExchangeEvidence = {
      request: { method: request.method, target_uri: url, headers: request.headers },
      response: {
        status: res.status,
        headers: Object.fromEntries(
          EVIDENCE_RESPONSE_HEADERS.flatMap((name) => {
            const value = res.header(name);
            return value === undefined ? [] : [[name, value]];
          }),
        ),
      },
    };
    try {
      await verifyExchange(evidence, {
        body: res.text,
        unboundRefusals: true,
        at: Math.floor(options.now() / 1000),
        publicKeyFor: (kid) => provider.keys.find((k) => k.kid === kid && k.status === 'active')?.jwk,
      });
    } catch (cause) {
      const unsigned = unsignedRefusal(res);
      const why = cause instanceof HttpSignatureError ? cause.message : 'Unknown failure.';
      throw new GatewayRefusal(
        'providerUnverified',
        unsigned !== undefined
          ? `De gateway van ${provider.name} antwoordde ${res.status} zonder handtekening${unsigned}. Er is niets doorgegeven.`
          : `Het antwoord (status ${res.status}) is niet aantoonbaar van ${provider.name}, ${why} Er is niets doorgegeven.`,
        { cause },
      );
    }
    c.set('providerAnswer', {
      status: res.status,
      body: res.text,
      evidence,
      requestDigest: request.requestDigest,
      providerSpanId: parseTraceparent(res.header('traceparent'))?.parentId,
      fscErrorCode: res.header('fsc-error-code'),
      // Not signed, so only passed on in its one form (whole seconds): the application's wait before asking again.
      retryAfter: /^\d{1,6}$/.test(res.header('retry-after') ?? '') ? res.header('retry-after') : undefined,
    });
    await next();
  });

/** The most of a provider's unsigned title the outway repeats. */
const UNSIGNED_TITLE_CHARACTERS = 200;

/**
 * For an unsigned error answer (status 400 or more, no `Signature`: a gateway that refuses before it
 * can sign, such as an inway refusing to serve from a rolled-back log, or a proxy in front of it) the
 * words that say so, with its problem's title when it is problem+json: `, met de tekst <title>. Die
 * tekst is niet te controleren` (no quotes or colons: a problem's detail allows none). Undefined for any
 * other answer. The title is only repeated in the outway's own problem,
 * as the provider's unverified words (control characters escaped, shortened); the body is never passed on.
 */
function unsignedRefusal(res: Awaited<ReturnType<SourcePost>>): string | undefined {
  if (res.status < 400 || res.header('signature') !== undefined) return undefined;
  if (!/^application\/problem\+json\b/i.test(res.header('content-type') ?? '')) return '';
  let title: unknown;
  try {
    title = (JSON.parse(res.text) as { title?: unknown }).title;
  } catch {
    return '';
  }
  if (typeof title !== 'string' || title.trim() === '') return '';
  const shown = escapeControlCharacters(title.trim().slice(0, UNSIGNED_TITLE_CHARACTERS)).replace(/\.+$/, '');
  return `, met de tekst ${shown}. Die tekst is niet te controleren`;
}

function providerSpanId(requestSpanId: string): string {
  const active = otelTrace.getActiveSpan();
  return (active && ownSpanId(active, requestSpanId)) ?? requestSpanId;
}
