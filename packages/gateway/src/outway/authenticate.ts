import { GatewayRefusal } from '@poortwachter/protocol';
import { createMiddleware } from 'hono/factory';
import type { Kysely } from 'kysely';
import { applicationByApiKey } from './applications.ts';
import type { OutwayEnv } from './context.ts';
import type { OutwayDatabase } from './tables.ts';

/**
 * Identifies the application by its `X-API-KEY` (as RvIG's BRP API takes it), against the hashes of
 * the registered keys. No key or an unknown one is a 401; nothing is sent to the provider.
 */
export const authenticateApplication = (db: Kysely<OutwayDatabase>) =>
  createMiddleware<OutwayEnv>(async function authenticateApplication(c, next) {
    c.set('application', undefined);
    const apiKey = c.req.header('x-api-key');
    if (!apiKey) {
      throw new GatewayRefusal('apiKeyMissing', 'Stuur de API-sleutel van uw applicatie in de header X-API-KEY.');
    }
    const application = await applicationByApiKey(db, apiKey);
    if (!application) throw new GatewayRefusal('apiKeyInvalid', 'De API-sleutel in X-API-KEY is niet geldig.');
    c.set('application', application);
    await next();
  });
