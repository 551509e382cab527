import type { DirectorySnapshot } from '@poortwachter/protocol';
import type { MiddlewareHandler } from 'hono';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GatewayEnv } from '../pipeline/context.ts';

/** What a citizen's browser must read to check an answer itself: the signature and what it covers. */
const EXPOSED = ['signature', 'signature-input', 'content-digest', 'fsc-transaction-id', 'retry-after'].join(', ');

const origins = new WeakMap<DirectorySnapshot, ReadonlySet<string>>();
/** The web origins the registry lists for organisations that are not revoked. */
export function allowedOrigins(directory: DirectorySnapshot): ReadonlySet<string> {
  let set = origins.get(directory);
  if (!set) {
    set = new Set(directory.organisations.filter((o) => o.revokedAt === null).flatMap((o) => o.webOrigins ?? []));
    origins.set(directory, set);
  }
  return set;
}

/**
 * CORS for the citizen endpoints, for the origins the registry lists only (`webOrigins` of an
 * organisation): a page there may send a citizen's token and read the signed answer; any other page
 * gets no CORS headers, so its browser keeps the answer from it. Errors carry the headers too, so that
 * the page can show the problem. Mounted after the directory stage, which the origins come from.
 */
export function citizenCors(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = () => {
      const directory = c.get('directory') as DirectoryIndex | undefined;
      return origin !== undefined && directory !== undefined && allowedOrigins(directory.snapshot).has(origin);
    };
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = { vary: 'Origin' };
      if (allowed()) {
        Object.assign(headers, {
          'access-control-allow-origin': origin as string,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        });
      }
      return c.body(null, 204, headers);
    }
    await next();
    c.res.headers.append('vary', 'Origin');
    if (allowed()) {
      c.res.headers.set('access-control-allow-origin', origin as string);
      c.res.headers.set('access-control-expose-headers', EXPOSED);
    }
  };
}
