import { GatewayRefusal } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { GatewayEnv } from './context.ts';

export interface ReadBodyOptions {
  /** Largest accepted body in bytes (default 64 KiB: a BRP query is a few hundred bytes). */
  readonly maxBytes?: number;
  /** Media types of the answers besides JSON and problem+json that `Accept` may name (`application/hal+json`). */
  readonly answers?: readonly string[];
}

/**
 * Whether an `Accept` header allows a JSON answer (ours are `application/json` or
 * `application/problem+json`, both UTF-8). No header accepts anything.
 */
export function acceptsJson(accept: string | undefined, also: readonly string[] = []): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...parameters] = range.trim().toLowerCase().split(';');
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return ['*/*', 'application/*', 'application/json', 'application/problem+json', ...also].includes(type.trim());
  });
}

/**
 * Refuses an `Accept` that allows no JSON (406), anything but `application/json` (415) and bodies
 * over the limit (413), before any cryptography is spent on them; keeps the raw bytes for the digest
 * check. A client that goes away before its body is complete is refused as `requestAborted`.
 */
export const readBody = (options: ReadBodyOptions = {}) =>
  createMiddleware<GatewayEnv>(async function readBody(c, next) {
    const maxBytes = options.maxBytes ?? 64 * 1024;
    if (!acceptsJson(c.req.header('accept'), options.answers)) {
      throw new GatewayRefusal(
        'notAcceptable',
        'De gateway antwoordt alleen in JSON. Sta dat toe in de header Accept.',
      );
    }
    // A GET has no body to describe (any body it carries is refused by the call's parser).
    if (c.req.method !== 'GET' && !/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new GatewayRefusal(
        'unsupportedMediaType',
        'Stuur de vraag als JSON, met dat mediatype in de header Content-Type.',
      );
    }
    const tooLarge = () => new GatewayRefusal('payloadTooLarge', `De body is groter dan ${maxBytes} bytes.`);
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw tooLarge();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const add = (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    };
    const aborted = (cause?: unknown) =>
      new GatewayRefusal('requestAborted', 'De client brak het verzoek af voordat de body binnen was.', { cause });
    // Under @hono/node-server, read Node's request stream directly: much cheaper than a web stream.
    const incoming = (c.env as { incoming?: NodeJS.ReadableStream } | undefined)?.incoming;
    if (incoming && typeof incoming.on === 'function') {
      await new Promise<void>((resolve, reject) => {
        let ended = false;
        incoming.on('data', (chunk: Uint8Array) => {
          try {
            add(chunk);
          } catch (error) {
            incoming.removeAllListeners('data');
            reject(error);
          }
        });
        incoming.on('end', () => {
          ended = true;
          resolve();
        });
        incoming.on('error', (cause) => reject(aborted(cause)));
        incoming.on('close', () => {
          if (!ended) reject(aborted());
        });
      });
    } else {
      const reader = c.req.raw.body?.getReader();
      while (reader) {
        let read: Awaited<ReturnType<typeof reader.read>>;
        try {
          read = await reader.read();
        } catch (cause) {
          throw aborted(cause);
        }
        if (read.done) break;
        try {
          add(read.value);
        } catch (error) {
          await reader.cancel();
          throw error;
        }
      }
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.set('body', body);
    await next();
  });

/** The body stage of signed GETs: an empty body (the signature still covers its Content-Digest). */
export const emptyBody = () =>
  createMiddleware<GatewayEnv>(async function emptyBody(c, next) {
    c.set('body', new Uint8Array(0));
    await next();
  });
