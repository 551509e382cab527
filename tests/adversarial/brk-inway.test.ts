/**
 * Kadaster's BRK inway attacked from outside (issue 26 §3): the BRP adversarial classes of signatures,
 * autorisatie and parsing against `pnpm start`'s BRK inway (service `brk-bevragen`, the example BRK
 * source behind it). Raw HTTP only (`brk-attacker.ts`); records and the outway: `brk-records.test.ts`;
 * the HAL answer and a hostile source: `brk-hal-leaks.test.ts`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { GatewayDatabase } from '@poortwachter/gateway';
import { openDatabase } from '@poortwachter/registry';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../start-system.ts';
import { brkAttacker, COMPANY_ONLY, HOME, OZB, SUZANNE, VERMOGEN } from './brk-attacker.ts';
import { contentDigest, type RawJwk, signRaw } from './raw-client.ts';

describe("Kadaster's BRK inway attacked from outside (pnpm start, raw HTTP)", () => {
  let system: RunningSystem;
  const { base, key, utrecht, haarlem, send, call, problemOf, names, recordsOf } = brkAttacker(() => system);

  beforeAll(async () => {
    system = await startSystem();
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  describe('signatures', () => {
    it('refuses an unsigned request and one signed by a key that is not the afnemer one', async () => {
      problemOf(await send('GET', `/kadastraalonroerendezaken/${HOME}`, { 'processing-activity': OZB }), 401);
      const { privateKey } = generateKeyPairSync('ed25519');
      const forged = { ...privateKey.export({ format: 'jwk' }), kid: key(DEMO_OIN.utrecht).kid } as RawJwk;
      problemOf(await call(`/kadastraalonroerendezaken/${HOME}`, { key: forged, processingActivity: OZB }), 401);
    });

    it('refuses a path or query string changed after signing (@target-uri covers both)', async () => {
      const path = `/kadastraalonroerendezaken/${HOME}?fields=type`;
      problemOf(await call(path, utrecht(), { sent: `/kadastraalonroerendezaken/${COMPANY_ONLY}?fields=type` }), 401);
      problemOf(await call(path, utrecht(), { sent: `${path},identificatie` }), 401);
      problemOf(await call(path, utrecht(), { sent: `${path}&fields=identificatie` }), 401);
    });

    it('bounds what unsigned requests write: 200 of them are counted, not stored one by one', async () => {
      const unsigned = () => send('GET', `/kadastraalonroerendezaken/${HOME}`, { 'processing-activity': OZB });
      let retryAfter = 0;
      for (let i = 0; i < 20; i++) {
        for (const res of await Promise.all(Array.from({ length: 10 }, unsigned)))
          retryAfter = Math.max(retryAfter, res.retryAfter);
      }
      // 200 failures spend this address's quota for failures (429 with Retry-After once it is gone); the
      // next tests sign from the same address, so they start once it has been given back.
      expect(retryAfter).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
      const { db, close } = openDatabase<GatewayDatabase>(`sqlite:${join(system.data, 'brk-gateway.db')}`);
      try {
        const rows = await db.selectFrom('refusals').select(['count']).where('caller_oin', 'is', null).execute();
        expect(rows.length).toBeLessThanOrEqual(2);
        // (Each minute one row per reason holds the count: none of the 200 is a row of its own.)
      } finally {
        await close();
      }
    });

    it('refuses a replay and a GET whose body is not the empty one its digest signs', async () => {
      const path = `/kadastraalonroerendezaken/${HOME}?fields=type`;
      const headers = signRaw({ method: 'GET', targetUri: `${base()}${path}`, ...utrecht() });
      expect((await send('GET', path, headers)).status).toBe(200);
      problemOf(await send('GET', path, headers), 401);
      const fresh = signRaw({ method: 'GET', targetUri: `${base()}${path}`, ...utrecht() });
      problemOf(await send('GET', path, fresh, 'x'), 401);
      // Signed with its digest, a GET's body is still not accepted.
      const withBody = signRaw({ method: 'GET', targetUri: `${base()}${path}`, ...utrecht(), body: '{"a":1}' });
      expect(withBody['content-digest']).toBe(contentDigest('{"a":1}'));
      const refused = problemOf(await send('GET', path, withBody, '{"a":1}'), 400);
      expect(names(refused)).toEqual(['body']);
    });
  });

  describe('autorisatie', () => {
    it("refuses an operation the autorisatie does not name, and another organisation's verwerkingsactiviteit", async () => {
      const problem = problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}/hypotheken`),
        403,
        'unauthorizedParameter',
      );
      expect(names(problem)).toEqual(['operation']);
      problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}`, { key: key(DEMO_OIN.utrecht), processingActivity: VERMOGEN }),
        403,
      );
    });

    it('refuses Utrecht the search by BSN and Haarlem the search by postcode', async () => {
      const bsn = problemOf(
        await call('/kadastraalonroerendezaken', utrecht(), { body: JSON.stringify({ burgerservicenummer: SUZANNE }) }),
        403,
        'unauthorizedParameter',
      );
      expect(bsn.detail).toContain('ZoekKadastraalOnroerendeZakenMetBsn');
      problemOf(
        await call('/kadastraalonroerendezaken?postcode=3077AW&huisnummer=31', haarlem()),
        403,
        'unauthorizedParameter',
      );
      // Utrecht may see an owner's identifier, so it may search by a Kadaster person's (persoon__identificatie
      // selects on it). The answer names no owners (the API takes no expand beside it), so the record names
      // the person searched for: the one the search is about, also when it is a BSN the search cannot match.
      const headers = signRaw({
        method: 'GET',
        targetUri: `${base()}/kadastraalonroerendezaken?persoon__identificatie=${SUZANNE}`,
        ...utrecht(),
      });
      const byPersoon = await send('GET', `/kadastraalonroerendezaken?persoon__identificatie=${SUZANNE}`, headers);
      expect(byPersoon.status).toBe(200);
      const records = await recordsOf(headers['fsc-transaction-id'] as string);
      expect(records.map((r) => r.type)).toEqual(['KadasterPersoon']);
      expect(records[0]?.pseudonym).toMatch(/^[0-9a-f]{64}$/);
      // And no expand beside it: the caller's is refused (400 naming expand), never passed on to a source that refuses it.
      expect(
        names(
          problemOf(
            await call(
              '/kadastraalonroerendezaken?persoon__identificatie=70000000001&expand=zakelijkGerechtigden',
              utrecht(),
            ),
            400,
          ),
        ),
      ).toEqual(['expand']);
    });

    it('refuses a fields path not authorised (403 naming fields), an unknown one (400), and expand of what it may not see', async () => {
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=koopsom`), 403, 'unauthorizedField')),
      ).toEqual(['fields']);
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=bestaatNiet`), 400))).toEqual([
        'fields',
      ]);
      expect(
        names(
          problemOf(await call(`/kadastraalonroerendezaken/${HOME}?expand=zakelijkGerechtigden.aanvangsdatum`), 403),
        ),
      ).toEqual(['expand']);
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?expand=hypotheken`), 400))).toEqual([
        'expand',
      ]);
    });
  });

  describe('parsing', () => {
    it('answers an unknown path or method with a 404 problem', async () => {
      problemOf(await call('/onbekend'), 404, 'notFound');
      problemOf(await call(`/kadastraalonroerendezaken/${HOME}/zakelijkgerechtigden/1/meer`), 404, 'notFound');
      problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}`, utrecht(), { method: 'POST', body: '{}' }),
        404,
        'notFound',
      );
    });

    it('lets no path traverse: .., %2e%2e, %2F, //, encoded NUL and newline', async () => {
      for (const path of [
        `/kadastraalonroerendezaken/${HOME}/../${COMPANY_ONLY}`,
        `/kadastraalonroerendezaken/%2e%2e/${COMPANY_ONLY}`,
        `/kadastraalonroerendezaken/${HOME}%2Fhypotheken`,
        `/kadastraalonroerendezaken//${HOME}`,
        `/kadastraalonroerendezaken/${HOME}%00`,
        `/kadastraalonroerendezaken/${HOME}%0A`,
        `/kadastraalonroerendezaken/..%2F..%2Fadmin`,
      ]) {
        // A 401 where the server normalised `..` before checking what was signed: nothing is released either way.
        const answer = await call(path);
        expect([400, 401, 404], `${path}: ${answer.text}`).toContain(answer.status);
        expect(answer.type).toContain('application/problem+json');
        expect(answer.text).not.toContain('Voorbeeldweg');
      }
    });

    it('names the path parameter whole in its problem', async () => {
      const problem = problemOf(await call(`/kadastraalonroerendezaken/${HOME}x`), 400);
      expect(names(problem)).toEqual(['kadastraalOnroerendeZaakIdentificatie']);
    });

    it('looks names up as own properties: __proto__ and constructor are unknown, not found on Object', async () => {
      problemOf(await call('/__proto__'), 404, 'notFound');
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?__proto__=1`), 400))).toEqual([
        '__proto__',
      ]);
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?constructor=1`), 400))).toEqual([
        'constructor',
      ]);
      const body = `{"__proto__":{"burgerservicenummer":"${SUZANNE}"}}`;
      const problem = problemOf(await call('/kadastraalonroerendezaken', haarlem(), { body }), 400);
      expect(names(problem).sort()).toEqual(['__proto__', 'burgerservicenummer']);
    });

    it('refuses unknown and repeated query parameters and a huge query string, naming them', async () => {
      expect(names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?geheim=1`), 400))).toEqual(['geheim']);
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=type&fields=identificatie`), 400)),
      ).toEqual(['fields']);
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken?postcode=3077AW&postcode=3077AW&huisnummer=31`), 400)),
      ).toEqual(['postcode']);
      expect(
        names(problemOf(await call(`/kadastraalonroerendezaken/${HOME}?fields=${'type,'.repeat(600)}type`), 400)),
      ).toEqual(['query']);
      const huge = await call(`/kadastraalonroerendezaken/${HOME}?fields=${'a'.repeat(40_000)}`);
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(huge.status).toBeLessThan(500);
    });

    it('refuses deep, huge and malformed POST bodies and a wrong content type', async () => {
      const search = (body: string, headers: Record<string, string> = {}) =>
        call('/kadastraalonroerendezaken', haarlem(), { body, headers });
      const deep = `{"burgerservicenummer":"${SUZANNE}","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      expect(names(problemOf(await search(deep), 400))).toEqual(['body']);
      expect(names(problemOf(await search(`{"burgerservicenummer":"${SUZANNE}"`), 400))).toEqual(['body']);
      expect(names(problemOf(await search('[]'), 400))).toEqual(['body']);
      expect(names(problemOf(await search(JSON.stringify({ burgerservicenummer: 999993653 })), 400))).toEqual([
        'burgerservicenummer',
      ]);
      const huge = await search(JSON.stringify({ burgerservicenummer: SUZANNE, x: 'x'.repeat(3_000_000) }));
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(huge.status).toBeLessThan(500);
      problemOf(await search(JSON.stringify({ burgerservicenummer: SUZANNE }), { 'content-type': 'text/plain' }), 415);
    });

    it('answers 406 to an Accept that allows no JSON', async () => {
      problemOf(
        await call(`/kadastraalonroerendezaken/${HOME}`, utrecht(), { headers: { accept: 'application/xml' } }),
        406,
      );
      const ok = await call(`/kadastraalonroerendezaken/${HOME}`, utrecht(), {
        headers: { accept: 'application/hal+json' },
      });
      expect(ok.status).toBe(200);
    });
  });
});
