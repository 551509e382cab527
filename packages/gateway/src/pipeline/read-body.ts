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
    const chunks: Uint8Array[] = [];
    let size = 0;
    const add = (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > maxBytes) throw new GatewayRefusal('payloadTooLarge', `The body is larger than ${maxBytes} bytes.`);
      chunks.push(chunk);
    };
    // Under @hono/node-server, read Node's request stream directly: much cheaper than a web stream.
    const incoming = (c.env as { incoming?: NodeJS.ReadableStream } | undefined)?.incoming;
    if (incoming && typeof incoming.on === 'function') {
      await new Promise<void>((resolve, reject) => {
        incoming.on('data', (chunk: Uint8Array) => {
          try {
            add(chunk);
          } catch (error) {
            incoming.removeAllListeners('data');
            reject(error);
          }
        });
        incoming.on('end', resolve);
        incoming.on('error', reject);
      });
    } else {
      const reader = c.req.raw.body?.getReader();
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        try {
          add(value);
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
