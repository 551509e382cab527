/**
 * The outway's admin API binds an application only to verwerkingsactiviteiten it may use (issue 25,
 * item 7): not to one the directory does not know, not to another organisation's (Haarlem's, at
 * Utrecht's outway), not to one that has ended. Raw HTTP against the outway of `pnpm start`.
 * The outway writes problems as the BRP API does, so `processingActivities[1]` is `processingActivities.1`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askOutwayForSuzanne, type RunningSystem, startSystem } from '../start-system.ts';

interface Problem {
  readonly status: number;
  readonly code: string;
  readonly invalidParams?: readonly { name: string; code: string; reason: string }[];
}

describe("registering an application at Utrecht's outway", () => {
  let system: RunningSystem;
  let outway: string;
  let adminToken: string;
  beforeAll(async () => {
    system = await startSystem();
    outway = `http://127.0.0.1:${system.ports.outway}`;
    adminToken = readFileSync(join(system.data, 'outway-admin-token'), 'utf8').trim();
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  const register = (body: unknown) =>
    fetch(`${outway}/admin/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const applications = async () => {
    const res = await fetch(`${outway}/admin/v1/applications`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { applications: { name: string; processingActivities: string[] }[] }).applications;
  };
  const refused = async (res: Response) => {
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(text).not.toContain('apiKey');
    const problem = JSON.parse(text) as Problem;
    expect(problem.status).toBe(400);
    return problem.invalidParams ?? [];
  };

  it('refuses a verwerkingsactiviteit the directory does not know, naming it', async () => {
    const params = await refused(
      await register({
        name: 'Typo-app',
        processingActivities: ['https://www.utrecht.nl/verwerkingsactiviteiten/bestaat-niet'],
      }),
    );
    expect(params).toEqual([
      expect.objectContaining({
        name: 'processingActivities.0',
        code: 'unknown',
        reason: 'Deze verwerkingsactiviteit staat niet in de adresgids.',
      }),
    ]);
  });

  it("refuses Haarlem's verwerkingsactiviteit, also next to one of Utrecht's, saying whose it is", async () => {
    const params = await refused(
      await register({
        name: 'Leen-app',
        processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo, DEMO_PROCESSING_ACTIVITY.haarlemBijstand],
        defaultProcessingActivity: DEMO_PROCESSING_ACTIVITY.haarlemBijstand,
      }),
    );
    expect(params).toEqual([
      expect.objectContaining({
        name: 'processingActivities.1',
        code: 'foreign',
        reason: 'Van een andere organisatie, Gemeente Haarlem.',
      }),
    ]);
  });

  it('registers an application bound to Utrecht’s own verwerkingsactiviteiten (201), whose key then works', async () => {
    const res = await register({
      name: 'Jeugd-zaaksysteem',
      processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtJeugd, DEMO_PROCESSING_ACTIVITY.utrechtWmo],
      defaultProcessingActivity: DEMO_PROCESSING_ACTIVITY.utrechtWmo,
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    const { apiKey } = JSON.parse(text) as { apiKey: string };
    const query = await askOutwayForSuzanne(outway, apiKey);
    expect(query.status, await query.clone().text()).toBe(200);
  });

  it('refuses an activity listed twice, naming the second, and a list or a body past what any application needs', async () => {
    const twice = await refused(
      await register({
        name: 'Dubbel-app',
        processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo, DEMO_PROCESSING_ACTIVITY.utrechtWmo],
      }),
    );
    expect(twice.map((p) => [p.name, p.code])).toEqual([['processingActivities.1', 'duplicate']]);
    const many = await refused(
      await register({
        name: 'Veel-app',
        processingActivities: Array.from({ length: 101 }, (_, i) => `${DEMO_PROCESSING_ACTIVITY.utrechtWmo}?${i}`),
      }),
    );
    expect(many.map((p) => p.name)).toEqual(['processingActivities']);
    const huge = await refused(
      await register({
        name: 'Groot-app',
        processingActivities: Array.from({ length: 100_000 }, () => DEMO_PROCESSING_ACTIVITY.utrechtWmo),
      }),
    );
    expect(huge.map((p) => p.name)).toEqual(['body']);
    for (const name of ['Zaak\n[outway] FORGED', 'Zaak\u001b[2K', 'Zaak\u202eppa', 'Zaak\u0085']) {
      const params = await refused(
        await register({ name, processingActivities: [DEMO_PROCESSING_ACTIVITY.utrechtWmo] }),
      );
      expect(
        params.map((p) => [p.name, p.code]),
        JSON.stringify(name),
      ).toEqual([['name', 'pattern']]);
    }
  });

  it('left no application behind for the refused registrations', async () => {
    const names = (await applications()).map((a) => a.name);
    expect(names).toContain('Jeugd-zaaksysteem');
    for (const name of ['Typo-app', 'Leen-app', 'Dubbel-app', 'Veel-app', 'Groot-app'])
      expect(names).not.toContain(name);
    for (const application of await applications()) {
      expect(application.processingActivities).not.toContain(DEMO_PROCESSING_ACTIVITY.haarlemBijstand);
    }
  });
});
