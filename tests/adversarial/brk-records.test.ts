/**
 * Kadaster's BRK inway, its records audited from outside (issue 26 §3): one access record per data
 * subject, committed before the answer leaves (read read-only in `brk-gateway.db` right after it), a
 * BSN pseudonymised so that the citizen finds it in her timeline at the BRK inway, a company's RSIN
 * recorded with its type so that no citizen sees it, the BSN searched for recorded also when it owns
 * nothing; the owners of what `subjectsFrom` and `expand` show. And Utrecht's outway as an application
 * calls it, with the API key only. Raw HTTP only (`brk-attacker.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../start-system.ts';
import { brkAttacker, COMPANY_ONLY, HOME, OZB, SUZANNE } from './brk-attacker.ts';

const plainOf = (answer: { records: { pseudonym: string | null }[] }) => answer.records[0]?.pseudonym;

/** A test person of the dev identity provider who owns nothing in the BRK. */
const OWNS_NOTHING = '000009830';

describe("Kadaster's BRK inway: records and the outway (pnpm start, raw HTTP)", () => {
  let system: RunningSystem;
  const { base, haarlem, recorded, timeline } = brkAttacker(() => system);

  beforeAll(async () => {
    system = await startSystem();
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  describe('records', () => {
    it('writes one record per owner before release: a BSN the owner sees in her timeline, a company RSIN no one sees', async () => {
      const before = (await timeline(SUZANNE)).length;
      const home = await recorded(`/kadastraalonroerendezaken/${HOME}?fields=type`);
      expect(home.records).toHaveLength(1);
      expect(home.records[0]?.type).toBe('BSN');
      expect(home.records[0]?.pseudonym).not.toContain(SUZANNE);
      const company = await recorded(`/kadastraalonroerendezaken/${COMPANY_ONLY}?fields=type`);
      expect(company.records).toHaveLength(1);
      expect(company.records[0]?.type).toBe('RSIN');
      const search = await recorded(
        '/kadastraalonroerendezaken',
        haarlem(),
        JSON.stringify({ burgerservicenummer: SUZANNE }),
      );
      expect(search.records.map((r) => r.type)).toEqual(['BSN']);
      expect(search.records[0]?.pseudonym).toBe(home.records[0]?.pseudonym);
      const after = await timeline(SUZANNE);
      expect(after.length - before).toBe(2);
      expect(after.slice(0, 2).map((v) => (v.organisatie as { oin: string }).oin)).toEqual([
        DEMO_OIN.haarlem,
        DEMO_OIN.utrecht,
      ]);
    });

    it('records the BSN searched for that owns nothing, and shows it to that person', async () => {
      const before = (await timeline(OWNS_NOTHING)).length;
      const search = await recorded(
        '/kadastraalonroerendezaken',
        haarlem(),
        JSON.stringify({ burgerservicenummer: OWNS_NOTHING }),
      );
      expect(JSON.parse(search.answer.text)).toEqual({ _embedded: { kadastraalOnroerendeZaken: [] } });
      expect(search.records.map((r) => r.type)).toEqual(['BSN']);
      expect((await timeline(OWNS_NOTHING)).length - before).toBe(1);
    });
  });

  it('records every owner an answer shows, and the owners of what rests on a parcel', async () => {
    const lance = JSON.stringify({ burgerservicenummer: '999990858' });
    // The search shows the parcel, not its co-owner (the source expands no owners on it): Lance only.
    const search = await recorded('/kadastraalonroerendezaken', haarlem(), lance);
    expect(search.answer.text).not.toContain('999990949');
    expect(search.records).toHaveLength(1);
    // The owners of the parcel: Lance Smit and Marianne de Jong, one record each.
    const owners = await recorded('/kadastraalonroerendezaken/30000000000002/zakelijkgerechtigden', haarlem());
    expect(owners.answer.text).toContain('999990949');
    expect(new Set(owners.records.map((r) => r.pseudonym)).size).toBe(2);
    expect(owners.records.map((r) => r.type)).toEqual(['BSN', 'BSN']);
    // A parcel's mortgages and attachments concern its owners (`subjectsFrom`), though the answer names none.
    const mortgages = await recorded(`/kadastraalonroerendezaken/${HOME}/hypotheken`, haarlem());
    expect(mortgages.records.map((r) => r.type)).toEqual(['BSN']);
    expect(mortgages.records[0]?.pseudonym).toBe(plainOf(await recorded(`/kadastraalonroerendezaken/${HOME}`)));
    const attachments = await recorded('/kadastraalonroerendezaken/30000000000010/beslagen', haarlem());
    expect(attachments.answer.text).toContain('beslag');
    expect(attachments.records.map((r) => r.type)).toEqual(['BSN']);
  });

  describe("Utrecht's outway, as an application calls it (the API key only)", () => {
    const outway = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${system.ports.outway}/brk-bevragen${path}`, {
        ...init,
        headers: {
          'x-api-key': readFileSync(join(system.data, 'outway-api-key'), 'utf8').trim(),
          'processing-activity': OZB,
          ...(init.headers as Record<string, string>),
        },
      });

    it('passes a declared operation and gives the inway answer, hrefs at the inway', async () => {
      const res = await outway(`/kadastraalonroerendezaken/${HOME}`);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/hal+json');
      expect(text).toContain(`${base()}/kadastraalonroerendezaken/${HOME}`);
      expect(text).not.toContain(`:${system.ports.brkSource}`);
    });

    it('refuses an operation the description does not declare, and a path that tries to leave the service', async () => {
      for (const path of [
        `/kadastraalonroerendezaken/${HOME}/hypotheken/50000000000001`,
        `/kadastraalonroerendezaken/${HOME}/%2e%2e/%2e%2e/personen`,
      ]) {
        const res = await outway(path);
        const text = await res.text();
        expect(res.status, `${path}: ${text}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      const post = await outway(`/kadastraalonroerendezaken/${HOME}`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(post.status, await post.text()).toBe(404);
    });
  });
});
