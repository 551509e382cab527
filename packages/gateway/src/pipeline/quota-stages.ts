import { createMiddleware } from 'hono/factory';
import type { GatewayEnv } from './context.ts';
import { type CallerQuotas, clientAddress, rateLimited, spend } from './quota.ts';

/**
 * Sets the quotas every later stage spends from (`c.var.quotas`); without it nothing is limited.
 *
 * @example
 * app.use(useQuotas(callerQuotas()));
 */
export const useQuotas = (quotas: CallerQuotas | undefined) =>
  createMiddleware<GatewayEnv>(async function useQuotas(c, next) {
    c.set('quotas', quotas);
    await next();
  });

/**
 * For a request nobody is identified by (the verifiable log's public heads and proofs): spends one of
 * the client address's quota, or refuses with 429 before the database is read.
 */
export const addressQuota = createMiddleware<GatewayEnv>(async function addressQuota(c, next) {
  const quotas = c.get('quotas');
  if (quotas) spend(quotas.addresses, clientAddress(c));
  await next();
});

/**
 * Runs a verification (a signature, a citizen's token) under the address's quota for failures: a
 * client whose failures spent its address's quota is refused (429) before anything is verified, so a
 * flood of bad signatures or tokens costs a map lookup, not a verification; each failure spends one.
 * A caller that verifies spends nothing here: its own quota (OIN, subject) is spent by the caller.
 */
export async function underFailureQuota<T>(
  quotas: CallerQuotas | undefined,
  c: Parameters<typeof clientAddress>[0],
  verify: () => Promise<T>,
  failed: (error: unknown) => boolean,
): Promise<T> {
  if (!quotas) return verify();
  const address = clientAddress(c);
  const wait = quotas.failures.waitFor(address);
  if (wait > 0) throw rateLimited(wait);
  try {
    return await verify();
  } catch (error) {
    if (failed(error)) quotas.failures.take(address);
    throw error;
  }
}
