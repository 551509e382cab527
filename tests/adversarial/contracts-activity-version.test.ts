/**
 * Issue 28: a contract binds the version of the verwerkingsactiviteit and the grondslag both sides
 * signed. Against `pnpm start` as a process: RvIG and Haarlem signed Haarlem's bijstand contract for
 * version 1 (Participatiewet art. 7); Haarlem alone then registers a new version of that activity, with
 * its own anchored key, as self-administration allows (another purpose on the Gemeentewet). The registry
 * takes the version; the BRP inway refuses Haarlem's next query under it (403), since RvIG never agreed.
 * Control: the same raw signed query before the change is granted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoPrivateKey, signAsOrganisation } from '@poortwachter/registry/testing';
import { DEMO_OIN, DEMO_PROCESSING_ACTIVITY } from '@poortwachter/seeds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayHasNewestDirectory, type RunningSystem, startSystem } from '../start-system.ts';
import { SUZANNE } from './contract-attack.ts';
import { type RawJwk, sendRaw } from './raw-client.ts';

const BIJSTAND = DEMO_PROCESSING_ACTIVITY.haarlemBijstand;

let system: RunningSystem;
const ask = () =>
  sendRaw(`http://127.0.0.1:${system.ports.gateway}`, {
    method: 'POST',
    targetUri: `http://localhost:${system.ports.gateway}/personen`,
    key: JSON.parse(readFileSync(join(system.data, 'keys', `${DEMO_OIN.haarlem}.jwk.json`), 'utf8')) as RawJwk,
    processingActivity: BIJSTAND,
    body: JSON.stringify({
      type: 'RaadpleegMetBurgerservicenummer',
      burgerservicenummer: [SUZANNE],
      fields: ['naam.voornamen'],
    }),
  });

describe('contracts: the afnemer cannot change the activity a contract was signed for (issue 28)', () => {
  beforeAll(async () => {
    system = await startSystem();
  }, 240_000);
  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('a new version of the activity, registered by the afnemer alone after acceptance, is refused; before it, granted', async () => {
    expect((await ask()).status).toBe(200);

    const registryUrl = `http://127.0.0.1:${system.ports.registry}`;
    const path = `/v1/processing-activities/${encodeURIComponent(BIJSTAND)}`;
    const { versions } = (await (await fetch(`${registryUrl}${path}`)).json()) as {
      versions: { version: number; grondslagIds: string[]; bewaartermijn: string; vertrouwelijkheid: string }[];
    };
    const signed = versions.at(-1);
    expect(signed?.grondslagIds).toContain('participatiewet-art-7');
    const request = await signAsOrganisation({
      registryUrl,
      method: 'PUT',
      path,
      body: {
        name: 'Verkoop van adresbestanden',
        doel: 'Adressen verkopen aan derden.',
        grondslagIds: ['gemeentewet-art-220'],
        responsibleOin: DEMO_OIN.haarlem,
        bewaartermijn: signed?.bewaartermijn,
        vertrouwelijkheid: signed?.vertrouwelijkheid,
      },
      privateKey: demoPrivateKey(join(system.data, 'keys'), DEMO_OIN.haarlem),
    });
    const changed = await fetch(request.url, request.init);
    expect(changed.status, await changed.clone().text()).toBe(200);
    await gatewayHasNewestDirectory(system);

    const refused = await ask();
    const problem = (await refused.json()) as { detail: string };
    expect(refused.status).toBe(403);
    expect(refused.headers.get('fsc-error-code')).toBe('ERROR_CODE_ACCESS_DENIED');
    expect(problem.detail).toBe(
      `De verwerkingsactiviteit is gewijzigd (nu versie ${(signed?.version ?? 0) + 1}). Het contract geldt voor versie ${signed?.version}. Een nieuw contract is nodig.`,
    );
  });
});
