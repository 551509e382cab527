import { GatewayRefusal, type InvalidParam } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { GatewayEnv } from '../pipeline/context.ts';
import { JSON_UTF8 } from '../pipeline/media-types.ts';
import { send } from '../pipeline/sign-response.ts';

/** Sends a JSON answer (signed by `signResponse` on the way out). */
export const sendJson = (c: Context<GatewayEnv>, value: unknown, status = 200) =>
  send(c, status, JSON.stringify(value), { 'content-type': JSON_UTF8 });

/**
 * The one check of a read's query parameters: each must be one the route knows (a citizen cannot ask
 * by BSN, say), and given once (`van=2026-12-01&van=2026-02-30` would otherwise mean whichever value a
 * reader takes). A 400 names each: a known one given twice under `repeated`, any other under
 * `unknownParam` (its name is the caller's text: the log shows only the code, the detail only the
 * names the route knows).
 *
 * @example
 * onlyParameters(c, ['van', 'tot', 'limit', 'cursor']);
 */
export function onlyParameters(c: Context<GatewayEnv>, known: readonly string[]) {
  const problems: InvalidParam[] = [];
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (!known.includes(name)) problems.push({ name, code: 'unknownParam', reason: 'Deze parameter bestaat niet.' });
    else if (values.length > 1) problems.push({ name, code: 'repeated', reason: 'Geef deze parameter een keer.' });
  }
  if (problems.length > 0) {
    throw new GatewayRefusal(
      'invalidRequest',
      known.length === 0
        ? 'Deze vraag heeft geen parameters.'
        : `Deze vraag kent alleen de parameters ${known.join(', ')}, elk een keer.`,
      { invalidParams: problems },
    );
  }
}

export function parseLimit(value: string | number | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new GatewayRefusal('invalidRequest', `${name} moet een geheel getal van 1 tot en met ${max} zijn.`, {
      invalidParams: [{ name, code: 'integer', reason: `Geef een getal van 1 tot en met ${max}.` }],
    });
  }
  return n;
}

/** A whole number of at least `min` from a query parameter or path segment, or a refusal naming it. */
export function count(value: string | undefined, name: string, min = 0): number {
  const n = value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
  if (n === undefined || n < min) {
    throw new GatewayRefusal('invalidRequest', `${name} moet een geheel getal van ${min} of meer zijn.`, {
      invalidParams: [{ name, code: 'integer', reason: `Geef een geheel getal van ${min} of meer.` }],
    });
  }
  return n;
}

/**
 * The body as a JSON object; anything else (not UTF-8, not JSON, not an object) is a 400 naming `body`.
 * Bytes that are not UTF-8 are refused, never stored as U+FFFD.
 */
export function parseJsonBody(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new GatewayRefusal('invalidRequest', 'De body moet een JSON object zijn.', {
    invalidParams: [{ name: 'body', code: 'json', reason: 'Stuur een JSON object.' }],
  });
}

/** Lets only organisations with the role `auditor` through (after the signature is verified). */
export const requireAuditor = createMiddleware<GatewayEnv>(async (c, next) => {
  const organisation = c.get('caller')?.organisation;
  if (!organisation?.roles.includes('auditor')) {
    throw new GatewayRefusal('notAuditor', 'Alleen een organisatie met de rol auditor mag dit vragen.');
  }
  await next();
});

/** The verified caller of a signed read. */
export function callerOf(c: Context<GatewayEnv>) {
  const caller = c.get('caller');
  if (!caller) throw new GatewayRefusal('internal', 'De stappen van de gateway liepen niet in volgorde.');
  return caller;
}
