import { GatewayRefusal } from '@poortwachter/protocol';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { GatewayEnv } from '../pipeline/context.ts';
import { JSON_UTF8 } from '../pipeline/media-types.ts';
import { send } from '../pipeline/sign-response.ts';

/** Sends a JSON answer (signed by `signResponse` on the way out). */
export const sendJson = (c: Context<GatewayEnv>, value: unknown, status = 200) =>
  send(c, status, JSON.stringify(value), { 'content-type': JSON_UTF8 });

/** Refuses query parameters the route does not know, naming each (a citizen cannot ask by BSN, say). */
export function onlyParameters(c: Context<GatewayEnv>, known: readonly string[]) {
  const unknown = Object.keys(c.req.queries()).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new GatewayRefusal('invalidRequest', `Onbekende parameter(s) ${unknown.join(', ')}.`, {
      invalidParams: unknown.map((name) => ({ name, code: 'unknownParam', reason: 'Deze parameter bestaat niet.' })),
    });
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

/** A non-negative whole number from a query parameter, or a refusal naming it. */
export function count(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new GatewayRefusal('invalidRequest', `${name} moet een geheel getal zijn.`, {
      invalidParams: [{ name, code: 'integer', reason: 'Geef een geheel getal van 0 of meer.' }],
    });
  }
  return Number(value);
}

export function parseJsonBody(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new GatewayRefusal('invalidRequest', 'De body moet een JSON object zijn.', {
    invalidParams: [{ name: 'body', code: 'json', reason: 'Stuur een JSON-object.' }],
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
