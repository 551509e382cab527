/**
 * Issue 28: the organisation's management page also manages the applications of its outway. From
 * outside: `pnpm start`, plus Utrecht's own `beheer serve --outway` process (Utrecht runs the demo's
 * outway). In Chromium an application is registered on the page; the API key it shows once works
 * against the outway; it is revoked on the page; the key is refused after. The outway's admin API
 * itself, raw HTTP signed with node:crypto: Utrecht's anchored key counts, Haarlem's gets 403, a
 * replayed nonce and a stale `created` are refused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_LOADER } from '../../scripts/source-loader.ts';
import { type RawJwk, sendRaw } from '../adversarial/raw-client.ts';
import { axeViolations, launchChromium, overflowsHorizontally } from '../portal/browser.ts';
import { askOutwayForSuzanne, freePort, type RunningSystem, root, startSystem } from '../start-system.ts';

const WMO = DEMO_PROCESSING_ACTIVITY.utrechtWmo;

describe("Utrecht's outway applications on its management page (issue 28)", () => {
  let system: RunningSystem;
  let beheer: ChildProcess;
  let beheerUrl: string;
  let browser: Browser;
  let page: Page;
  const outwayListens = () => `http://127.0.0.1:${system.ports.outway}`;
  // What the outway's signatures are made for: its public URL (pnpm start: localhost and its port).
  const outwayPublic = () => `http://localhost:${system.ports.outway}`;
  const keyOf = (oin: string) =>
    JSON.parse(readFileSync(join(system.data, 'keys', `${oin}.jwk.json`), 'utf8')) as RawJwk;
  const signedList = (key: RawJwk, extra: { created?: number; nonce?: string } = {}) =>
    sendRaw(outwayListens(), {
      method: 'GET',
      targetUri: `${outwayPublic()}/admin/v1/applications`,
      key,
      ...extra,
    });

  beforeAll(async () => {
    system = await startSystem();
    const port = await freePort();
    beheerUrl = `http://127.0.0.1:${port}`;
    beheer = spawn(
      process.execPath,
      [...SOURCE_LOADER, 'packages/sdk/src/cli/main.ts', 'beheer', 'serve', '--oin', DEMO_OIN.utrecht],
      {
        cwd: root,
        env: {
          ...process.env,
          DATA_DIR: system.data,
          REGISTRY_URL: `http://localhost:${system.ports.registry}`,
          OUTWAY_ADMIN_URL: outwayPublic(),
          PORT: String(port),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    for (let i = 0; ; i++) {
      const up = await fetch(`${beheerUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 600 || beheer.exitCode !== null) throw new Error("Utrecht's management page did not start.");
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    beheer?.kill();
    await system?.stop();
  });

  it("accepts a request signed with Utrecht's anchored key; refuses Haarlem's (403), a replay and a stale one", async () => {
    const utrecht = keyOf(DEMO_OIN.utrecht);
    const nonce = 'admin-nonce-0123456789';
    const listed = await signedList(utrecht, { nonce });
    const body = await listed.text();
    expect(listed.status, body).toBe(200);
    expect(body).toContain('Demo-applicatie');

    const replay = await signedList(utrecht, { nonce });
    expect(replay.status, 'the same nonce again').toBe(401);

    const stale = await signedList(utrecht, { created: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status, 'created an hour ago').toBe(401);

    const haarlem = await signedList(keyOf(DEMO_OIN.haarlem));
    const refused = await haarlem.text();
    expect(haarlem.status, refused).toBe(403);
    expect(refused).not.toContain('Demo-applicatie');

    const unsigned = await fetch(`${outwayListens()}/admin/v1/applications`);
    expect(unsigned.status).toBe(401);
  });

  it('registers an application on the page, whose key (shown once) works, and revokes it: the key is refused', async () => {
    await page.goto(`${beheerUrl}/`);
    const section = page.locator('section[aria-labelledby=applicaties]');
    expect(await section.locator('h2').textContent()).toBe('Applicaties van uw outway');
    expect(await section.textContent()).toContain('Demo-applicatie');

    await section.getByLabel('Naam van de applicatie').fill('Wmo-loket');
    await section.locator(`input[name=activiteiten][value="${WMO}"]`).check();
    await section.getByRole('button', { name: 'Applicatie registreren' }).click();
    const notice = page.locator('#melding');
    expect(await notice.textContent()).toContain('Bewaar deze API-sleutel nu.');
    const apiKey = (await page.locator('#api-sleutel').textContent())?.trim() ?? '';
    expect(apiKey.length).toBeGreaterThan(20);

    const asked = await askOutwayForSuzanne(outwayListens(), apiKey);
    const answer = await asked.text();
    expect(asked.status, answer).toBe(200);
    expect(answer).toContain('Suzanne');

    // Shown once: the page as it is opened next does not hold the key.
    await page.goto(`${beheerUrl}/`);
    expect(await page.content()).not.toContain(apiKey);
    const row = section.locator('tr', { hasText: 'Wmo-loket' });
    expect(await row.count()).toBe(1);

    // Revoking asks for a confirmation: without it nothing is revoked.
    const notConfirmed = await fetch(`${beheerUrl}/applicaties/intrekken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ id: (await row.locator('input[name=id]').getAttribute('value')) ?? '' }).toString(),
    });
    expect(notConfirmed.status).toBe(400);
    expect((await askOutwayForSuzanne(outwayListens(), apiKey)).status).toBe(200);

    await row.getByRole('checkbox').check();
    await Promise.all([page.waitForURL(/gedaan=intrekken/), row.getByRole('button', { name: 'Intrekken' }).click()]);
    expect(await page.locator('#melding').textContent()).toContain('U hebt de applicatie ingetrokken');
    expect(await section.locator('tr', { hasText: 'Wmo-loket' }).textContent()).toContain('Ingetrokken op');

    // The outway remembers a key for at most 5 s (authenticateApplication): refused within that time.
    let after = await askOutwayForSuzanne(outwayListens(), apiKey);
    for (let i = 0; i < 40 && after.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await askOutwayForSuzanne(outwayListens(), apiKey);
    }
    expect(after.status, 'a revoked key is refused').toBe(401);
  }, 120_000);

  it('passes axe (WCAG 2.1 AA) with the section, also with a new key shown, fits 320 px, and takes no post from another page', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${beheerUrl}/#applicaties`);
    expect(await axeViolations(page)).toEqual([]);
    const section = page.locator('section[aria-labelledby=applicaties]');
    await section.getByLabel('Naam van de applicatie').fill('Axe-app');
    await section.locator(`input[name=activiteiten][value="${WMO}"]`).check();
    await section.getByRole('button', { name: 'Applicatie registreren' }).click();
    expect(await page.locator('#api-sleutel').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${beheerUrl}/`);
    expect(await overflowsHorizontally(page), 'horizontal scrolling at 320 px').toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    const before = await fetch(`${beheerUrl}/`).then((r) => r.text());
    const foreign = await fetch(`${beheerUrl}/applicaties`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ naam: 'Vreemde-app', activiteiten: WMO }).toString(),
    });
    expect(foreign.status).toBe(403);
    const now = await fetch(`${beheerUrl}/`).then((r) => r.text());
    expect(now).not.toContain('Vreemde-app');
    expect(before).not.toContain('Vreemde-app');
  }, 120_000);
});
