import type { TLSSocket } from 'node:tls';
import { GatewayRefusal } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { Kysely } from 'kysely';
import { clientAddress, rateLimited, spend } from '../pipeline/quota.ts';
import { type Application, applicationByApiKey, applicationByCertificate } from './applications.ts';
import type { OutwayEnv } from './context.ts';
import type { OutwayDatabase } from './tables.ts';

/**
 * Identifies the application by its `X-API-KEY` (as RvIG's BRP API takes it), against the hashes of
 * the registered keys, or (over HTTPS, without a key) by the TLS client certificate it presented, when
 * the outway's client CA signed it and its SHA-256 fingerprint is registered. No key or an unknown one is a 401; nothing is sent to the provider. A key found
 * is remembered for `cacheMs` (default 5 s), so a revocation takes effect within that time.
 * Under quotas (`c.var.quotas`), an application spends its own quota once identified, and a client
 * address whose failed keys spent the address's quota is refused (429) before any key is looked up.
 */
export const authenticateApplication = (db: Kysely<OutwayDatabase>, options: { cacheMs?: number } = {}) => {
  // Every call of an application carries its key: remember who it is for a few seconds (a revoked
  // key is refused at most `cacheMs` later), unknown keys never, and at most 1000 keys.
  const cacheMs = options.cacheMs ?? 5000;
  const known = new Map<string, { application: Application; until: number }>();
  const lookup = async (apiKey: string): Promise<Application | undefined> => {
    const hit = known.get(apiKey);
    if (hit && hit.until > Date.now()) return hit.application;
    const application = await applicationByApiKey(db, apiKey);
    if (application) {
      if (known.size >= 1000) known.clear();
      known.set(apiKey, { application, until: Date.now() + cacheMs });
    }
    return application;
  };
  return createMiddleware<OutwayEnv>(async function authenticateApplication(c, next) {
    c.set('application', undefined);
    const quotas = c.get('quotas');
    const failures = quotas && quotas.failures.size > 0 ? quotas.failures.waitFor(clientAddress(c)) : 0;
    if (failures > 0) throw rateLimited(failures);
    const identified = (application: Application) => {
      c.set('application', application);
      if (quotas) spend(quotas.callers, application.id);
      return next();
    };
    const apiKey = c.req.header('x-api-key');
    if (!apiKey) {
      // Over HTTPS, a client certificate the outway's client CA signed names the application instead.
      const socket = (c.env as { incoming?: { socket?: Partial<TLSSocket> } } | undefined)?.incoming?.socket;
      const certificate = socket?.authorized ? socket.getPeerCertificate?.() : undefined;
      const byCertificate = certificate?.fingerprint256
        ? await applicationByCertificate(db, certificate.fingerprint256)
        : undefined;
      if (!byCertificate) {
        quotas?.failures.take(clientAddress(c));
        throw new GatewayRefusal(
          'apiKeyMissing',
          'Stuur de API-sleutel van uw applicatie in de header X-API-KEY, of een geregistreerd TLS-clientcertificaat.',
        );
      }
      return identified(byCertificate);
    }
    const application = await lookup(apiKey);
    if (!application) {
      quotas?.failures.take(clientAddress(c));
      throw new GatewayRefusal('apiKeyInvalid', 'De API-sleutel in X-API-KEY is niet geldig.');
    }
    await identified(application);
  });
};
