/**
 * Whether a browser or a gateway may use this address for what the registry publishes: https, or
 * http to this machine only (development), so that nothing travels in the clear across a network.
 *
 * @example
 * isHttpsOrLocal(new URL('http://localhost:8303/introspect')); // true
 */
export function isHttpsOrLocal(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
