import type { Persoon } from '@poortwachter/seeds';
import { projectFields } from '../protocol/project-fields.ts';

export type SourceMode = 'ok' | 'down' | 'slow' | 'garbage' | 'error500';

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
    const query = state.lastBody as { type: string; burgerservicenummer?: string[] };
    if (query.type !== 'RaadpleegMetBurgerservicenummer') {
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
