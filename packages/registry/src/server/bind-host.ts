import { isIP } from 'node:net';

/** Whether a host name or address is this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * The address a server binds to: `HOST`, or 127.0.0.1, so that nothing listens beyond this machine
 * unless the operator says so (behind a reverse proxy or in a container, `HOST=0.0.0.0`).
 *
 * @example
 * serve({ fetch: app.fetch, port, hostname: bindHost() });
 */
export function bindHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOST?.trim() || '127.0.0.1';
}

/** How to name the address in a log line: a URL host (IPv6 in brackets). */
export const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);
