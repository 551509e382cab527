import { createMiddleware } from 'hono/factory';
import { GatewayRefusal } from '../errors.ts';
import type { GatewayEnv } from './context.ts';

export interface ReadBodyOptions {
  /** Largest accepted body in bytes (default 64 KiB: a BRP query is a few hundred bytes). */
  readonly maxBytes?: number;
}

/**
 * Refuses anything but `application/json` (415) and bodies over the limit (413), before any
 * cryptography is spent on them; keeps the raw bytes for the digest check.
 */
export const readBody = (options: ReadBodyOptions = {}) =>
  createMiddleware<GatewayEnv>(async function readBody(c, next) {
    const maxBytes = options.maxBytes ?? 64 * 1024;
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new GatewayRefusal('unsupportedMediaType', 'Send the query as application/json.');
    }
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw new GatewayRefusal('payloadTooLarge', `The body is larger than ${maxBytes} bytes.`);
    const reader = c.req.raw.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new GatewayRefusal('payloadTooLarge', `The body is larger than ${maxBytes} bytes.`);
      }
      chunks.push(value);
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
