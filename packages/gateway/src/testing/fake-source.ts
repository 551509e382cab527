import type { Persoon } from '@poortwachter/seeds';
import { projectFields } from '../protocol/project-fields.ts';

export type SourceMode =
  | 'ok'
  | 'down'
  | 'slow'
  | 'garbage'
  | 'error500'
  /** A misbehaving or compromised source: every shape of answer that must not pass. */
  | 'problemWithPersonalData'
  | 'htmlError'
  | 'huge'
  | 'wrongContentType'
  | 'malformed200'
  | 'personWithoutBsn'
  /** The BRP API's answer to a search that finds more than it may return. */
  | 'tooManyResults';

/** What a compromised source stuffs into its answers (a test checks that none of it leaves). */
export const LEAKED = { naam: 'Suzanne Moulin', bsn: '999993653', geboortedatum: '1985-12-01' } as const;

/**
 * A stand-in source for gateway tests: answers RaadpleegMetBurgerservicenummer with the *whole*
 * person, whatever `fields` say (so that the gateway's own minimisation is what is tested), counts
 * its calls, and can be switched to fail in the ways real sources fail.
 */
export function fakeSource(personen: readonly Persoon[]) {
  const state = {
    mode: 'ok' as SourceMode,
    calls: 0,
    lastBody: undefined as unknown,
    /** Answer with only the requested fields, as a real BRP source does (default: the whole person). */
    projectFields: false,
  };
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    state.calls++;
    state.lastBody = JSON.parse(String(init?.body ?? '{}'));
    const signal = init?.signal;
    if (state.mode === 'down') throw new TypeError('fetch failed: connect ECONNREFUSED');
    if (state.mode === 'slow') {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    }
    if (state.mode === 'garbage') return new Response('<html>oops</html>', { status: 200 });
    if (state.mode === 'error500') return Response.json({ error: 'boom' }, { status: 500 });
    if (state.mode === 'tooManyResults') {
      return Response.json(
        { type: 'https://example.invalid', title: 'Te veel resultaten.', status: 400, code: 'tooManyResults' },
        { status: 400, headers: { 'content-type': 'application/problem+json' } },
      );
    }
    const leaked = `${LEAKED.naam}, BSN ${LEAKED.bsn}, geboren ${LEAKED.geboortedatum}`;
    switch (state.mode) {
      case 'problemWithPersonalData':
        return new Response(
          JSON.stringify({
            type: 'https://example.invalid',
            title: leaked,
            status: 400,
            detail: leaked,
            code: 'paramsValidation',
            invalidParams: [{ name: leaked, code: leaked, reason: leaked }],
            personen: [personen[0]],
          }),
          { status: 400, headers: { 'content-type': 'application/problem+json' } },
        );
      case 'htmlError':
        return new Response(`<html><body>${leaked}</body></html>`, {
          status: 400,
          headers: { 'content-type': 'text/html' },
        });
      case 'huge':
        return Response.json({ type: 'RaadpleegMetBurgerservicenummer', personen: [{ naam: leaked.repeat(50_000) }] });
      case 'wrongContentType':
        return new Response(JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', personen: [personen[0]] }), {
          status: 200,
          headers: { 'content-type': 'text/plain' },
        });
      case 'malformed200':
        return Response.json({ type: 'RaadpleegMetBurgerservicenummer', personen: leaked });
      case 'personWithoutBsn':
        return Response.json({
          type: 'RaadpleegMetBurgerservicenummer',
          personen: [{ naam: { voornamen: 'Suzanne', geslachtsnaam: 'Moulin' } }],
        });
    }
    const query = state.lastBody as { type: string; burgerservicenummer?: string[] };
    if (query.type !== 'RaadpleegMetBurgerservicenummer') {
      // Searches are not modelled: nobody is found (the gateway's checks before the source are what is tested).
      return Response.json({ type: query.type, personen: [] });
    }
    const found = personen.filter((p) => query.burgerservicenummer?.includes(p.burgerservicenummer));
    const fields = (query as { fields?: string[] }).fields ?? [];
    return Response.json({
      type: query.type,
      personen: state.projectFields ? found.map((p) => projectFields(p, fields)) : found,
    });
  };
  return { fetch, state };
}
