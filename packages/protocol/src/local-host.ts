/**
 * The one rule for servers that are for this machine only (the auditor's page, the development
 * identity provider): they answer a request only when its `Host` is a loopback name of their own
 * port. Listening on 127.0.0.1 is not enough: a web page elsewhere can have its own name resolve to
 * 127.0.0.1 (DNS rebinding), and the browser then sends it here as a same-origin request, with that
 * name as `Host`. Here, and not in a server package, so that the sdk's `audit serve` and the servers
 * share it (the sdk depends on this package only); it holds no Node API, so a browser bundle may hold it.
 */

/** The names a server for this machine only answers to. */
export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** The status for a request addressed to another name: 421 Misdirected Request (RFC 9110 §15.5.20). */
export const MISDIRECTED_STATUS = 421;

/**
 * Whether a request's `Host` header is a loopback name of `port` (`127.0.0.1:8306`, `localhost:8306`,
 * `[::1]:8306`; without a port only for port 80). Names compare case-insensitively, as DNS does.
 *
 * @example
 * isOwnLoopbackHost('localhost:8306', 8306); // true
 * isOwnLoopbackHost('rebind.evil.example:8306', 8306); // false
 */
export function isOwnLoopbackHost(host: string | null | undefined, port: number): boolean {
  const name = (host ?? '').toLowerCase();
  return LOOPBACK_NAMES.some((own) => name === `${own}:${port}` || (port === 80 && name === own));
}

/**
 * The one plain line such a server answers, with {@link MISDIRECTED_STATUS}, to a request whose `Host`
 * is not its own; `undefined` when it is.
 *
 * @example
 * const refusal = misdirected(req.headers.host, port);
 * if (refusal) return send(MISDIRECTED_STATUS, refusal);
 */
export function misdirected(host: string | null | undefined, port: number): string | undefined {
  if (isOwnLoopbackHost(host, port)) return undefined;
  return `Misdirected request: this server is for this machine only and answers only at ${LOOPBACK_NAMES.map((n) => `${n}:${port}`).join(', ')}.\n`;
}
